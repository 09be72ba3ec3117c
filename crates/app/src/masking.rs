//! Masking personal data inside stored JSON (a case event's payload) before anyone reads it.
//!
//! The case page masks the applicant's ID number, phone and e-mail; the event log holds the
//! same values in full, because replaying it must rebuild the case exactly. So every reader of
//! the log gets the payload through [`mask_json`]: fields named `id_code`, `phone` and `email`
//! are masked by the page's rule wherever they sit, and any other text is scanned for ID
//! numbers, mobile numbers and e-mail addresses typed into free fields (the form, a reason).
//! The full values are read only through `App::case_applicant`, which is audited.

use serde_json::Value;
use tongban_domain::mask;

/// Masks every personal value in `value`, in place.
pub fn mask_json(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), &*v) {
                    ("id_code", Value::String(s)) => *v = Value::String(mask::keep_ends(s, 6, 4)),
                    ("phone", Value::String(s)) => *v = Value::String(mask::phone(s)),
                    ("email", Value::String(s)) => *v = Value::String(mask::email(s)),
                    _ => mask_json(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        Value::String(s) => {
            let masked = mask_text(s);
            if masked != *s {
                *s = masked;
            }
        }
        _ => {}
    }
}

/// Masks ID numbers (18 characters, GB 11643's shape), mobile numbers (11 digits from 13 to 19) and e-mail
/// addresses found in free text. Everything else is kept as it was.
pub fn mask_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || "._%+-@".contains(c);
    for c in text.chars() {
        if is_token_char(c) {
            token.push(c);
        } else {
            out.push_str(&mask_token(&token));
            token.clear();
            out.push(c);
        }
    }
    out.push_str(&mask_token(&token));
    out
}

fn mask_token(token: &str) -> String {
    if token.is_empty() {
        return String::new();
    }
    if token.contains('@') {
        return mask::email(token);
    }
    // Within a token, look at each run of digits (and a final X of an ID number).
    let mut out = String::with_capacity(token.len());
    let chars: Vec<char> = token.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i - start == 17 && i < chars.len() && matches!(chars[i], 'X' | 'x') {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            out.push_str(&mask_run(&run));
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

fn mask_run(run: &str) -> String {
    let b = run.as_bytes();
    // Any 18-character run of 17 digits and a digit or X is taken for an ID number, valid
    // check digit or not: a mistyped one is still someone's.
    if run.len() == 18 {
        mask::keep_ends(run, 6, 4)
    } else if run.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        mask::phone(run)
    } else {
        run.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_fields_and_free_text_are_masked() {
        let mut v = serde_json::json!({
            "received": {
                "applicant": {"id_code": "110105194912310029", "phone": "13812345678",
                              "email": "zhang.san@example.cn", "name": "张三"},
                "form": {"contact": "联系人电话13912345678，身份证110105194912310029",
                         "mail": "备用 li.si@example.cn"},
                "number": "361202-20260302-000123"
            }
        });
        mask_json(&mut v);
        let text = v.to_string();
        for secret in [
            "110105194912310029",
            "13812345678",
            "13912345678",
            "zhang.san",
            "li.si",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert_eq!(v["received"]["applicant"]["id_code"], "110105********0029");
        assert_eq!(v["received"]["applicant"]["phone"], "138****5678");
        assert_eq!(v["received"]["number"], "361202-20260302-000123");
        assert_eq!(v["received"]["applicant"]["name"], "张三");
    }

    #[test]
    fn ordinary_numbers_stay() {
        for s in ["共 12345678901 元", "XK00601001", "2026-03-02", "a1b2c3"] {
            // 12345678901 starts with 12: not a mobile number.
            assert_eq!(mask_text(s), s);
        }
    }
}
