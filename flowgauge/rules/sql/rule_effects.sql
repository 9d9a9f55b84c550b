-- What the rules in force leave out of a snapshot's metrics, one row per kind and group: deployments whose
-- environment the production rule does not take (per environment), PRs whose author is unknown (no login, or a
-- deleted account's 'ghost'), and PRs a bot title pattern takes from a person's account. Not windowed.
SELECT 'environment' AS kind, environment AS subject, count(*) AS items
FROM deployments
WHERE NOT regexp_matches(environment, $prod_regex)
GROUP BY environment
UNION ALL
SELECT 'unknown_author', NULL, count(*)
FROM pull_requests
WHERE author_id IS NULL OR lower(author_id) = 'ghost'
HAVING count(*) > 0
UNION ALL
SELECT 'bot_title', NULL, count(*)
FROM pull_requests
WHERE $bot_title_regex <> '' AND regexp_matches(coalesce(title, ''), $bot_title_regex)
HAVING count(*) > 0
ORDER BY kind, items DESC, subject
