//! Topic-exchange matching, as RabbitMQ does it, for the in-memory bus: `*` is exactly one
//! word, `#` is zero or more words.

/// Whether `routing_key` matches the binding `pattern`.
pub fn matches(pattern: &str, routing_key: &str) -> bool {
    let pattern: Vec<&str> = pattern.split('.').collect();
    let key: Vec<&str> = routing_key.split('.').collect();
    matches_words(&pattern, &key)
}

fn matches_words(pattern: &[&str], key: &[&str]) -> bool {
    match pattern.split_first() {
        None => key.is_empty(),
        // `#` takes any number of words: try every split (keys have a handful of words, so
        // the backtracking stays tiny).
        Some((&"#", rest)) => (0..=key.len()).any(|taken| matches_words(rest, &key[taken..])),
        Some((&word, rest)) => match key.split_first() {
            Some((&first, key_rest)) => {
                (word == "*" || word == first) && matches_words(rest, key_rest)
            }
            None => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn words_stars_and_hashes_match_as_on_a_topic_exchange() {
        let cases = [
            ("a.b.c", "a.b.c", true),
            ("a.b.c", "a.b", false),
            ("a.*.c", "a.b.c", true),
            ("a.*.c", "a.c", false),
            ("a.*", "a.b.c", false),
            ("a.#", "a", true),
            ("a.#", "a.b.c", true),
            ("#", "anything.at.all", true),
            ("#.v1", "requests.request.accepted.v1", true),
            ("#.v1", "requests.request.accepted.v2", false),
            ("requests.#.v1", "requests.v1", true),
            ("*.request.*.v1", "requests.request.accepted.v1", true),
            ("*.request.*.v1", "requests.comment.added.v1", false),
            ("a.#.#.c", "a.c", true),
            ("identity.*", "identity", false),
        ];
        for (pattern, key, expected) in cases {
            assert_eq!(matches(pattern, key), expected, "{pattern} vs {key}");
        }
    }
}
