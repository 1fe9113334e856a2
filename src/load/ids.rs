//! Which keys hold identifiers, and how a numeric id becomes its string.
//!
//! CRM ids are 19-digit numbers beyond 2^53 and the Desk org id is a JSON number, so the
//! parser turns every numeric id into a string while it reads (rules compare ids as
//! strings). An integer id is formatted from the integer itself, never through a float.

/// A key whose (numeric) value is an id: `id`, or ending in `Id` or `_id`.
/// Case-sensitive on purpose: `contactId` and `org_id` are ids, `paid` and `zuid` are not.
pub fn is_id_key(key: &str) -> bool {
    key == "id" || key.ends_with("Id") || key.ends_with("_id")
}

/// A key whose array holds ids: ending in `Ids` (`associatedDepartmentIds`).
pub fn is_id_list_key(key: &str) -> bool {
    key.ends_with("Ids")
}

/// Floats are exact for integers up to 2^53; beyond that the digits are already lost.
const EXACT_FLOAT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Whether a float still holds the id exactly: any fraction (`1.5`) prints as it was
/// read; a whole number only below 2^53, past which digits are lost.
pub(crate) fn float_id_is_exact(f: f64) -> bool {
    f.fract() != 0.0 || f.abs() < EXACT_FLOAT_LIMIT
}

/// The id text of a number that JSON spelled as a float (`2389290.0`, or an integer too
/// large for u64): the integer when the float holds one exactly, else Rust's `{}`.
pub(crate) fn float_id_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < EXACT_FLOAT_LIMIT {
        // In range by the check above, so the cast is exact.
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_keys_are_matched_case_sensitively_by_name_or_suffix() {
        for key in [
            "id",
            "contactId",
            "departmentId",
            "org_id",
            "linked_desk_org_id",
        ] {
            assert!(is_id_key(key), "{key} should be an id key");
        }
        for key in ["paid", "zuid", "ID", "ids", "identity", "departmentIds"] {
            assert!(!is_id_key(key), "{key} should not be an id key");
        }
        assert!(is_id_list_key("associatedDepartmentIds"));
        assert!(!is_id_list_key("associatedDepartmentIDs"));
    }

    #[test]
    fn float_ids_print_as_integers_only_when_exact() {
        assert_eq!(float_id_text(2389290.0), "2389290");
        assert_eq!(float_id_text(-7.0), "-7");
        assert_eq!(float_id_text(1.5), "1.5");
        assert_eq!(float_id_text(1e20), "100000000000000000000");
    }
}
