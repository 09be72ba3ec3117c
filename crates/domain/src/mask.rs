//! Masking personal data for pages and logs.

/// Keeps the first `head` and last `tail` characters and stars the rest.
pub fn keep_ends(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.extend(std::iter::repeat_n('*', chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `13812345678` → `138****5678`.
pub fn phone(value: &str) -> String {
    keep_ends(value, 3, 4)
}

/// `zhang.san@example.cn` → `z***@example.cn`.
pub fn email(value: &str) -> String {
    match value.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => keep_ends(value, 1, 0),
    }
}

/// `张三丰` → `张**`: the family name stays, the given name is hidden.
pub fn name(value: &str) -> String {
    keep_ends(value, 1, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_only_the_ends() {
        assert_eq!(keep_ends("11010519491231002X", 6, 4), "110105********002X");
        assert_eq!(phone("13812345678"), "138****5678");
        assert_eq!(email("zhang.san@example.cn"), "z***@example.cn");
        assert_eq!(name("张三丰"), "张**");
        assert_eq!(keep_ends("abc", 2, 2), "***");
    }
}
