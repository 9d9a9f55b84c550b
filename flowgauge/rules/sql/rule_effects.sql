-- What the rules in force leave out of a snapshot's metrics, one row per kind and group: deployments whose
-- environment the production rule does not take (per environment), PRs whose author is unknown (no login, or a
-- deleted account's 'ghost'), PRs a bot title pattern takes from a person's account and commits of bot accounts;
-- last, what bots' rules do not take: coding agents' PRs and commits (bot accounts whose PRs are agentic, as
-- metrics/sql/pr_facts.sql and commit_facts.sql tell them). Not windowed.
WITH bots AS (
    SELECT person_id FROM people WHERE is_bot OR ends_with(lower(person_id), '[bot]')
),
agents AS (
    SELECT DISTINCT p.author_id AS person_id
    FROM pull_requests p JOIN pr_code_origins o USING (pr_id)
    WHERE o.origin = 'agentic' AND (p.author_id IN (SELECT person_id FROM bots) OR ends_with(lower(p.author_id), '[bot]'))
),
effects AS (
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
UNION ALL
SELECT 'bot_commits', NULL, count(*)
FROM commits
WHERE (author_id IN (SELECT person_id FROM bots) OR ends_with(lower(author_id), '[bot]'))
    AND author_id NOT IN (SELECT person_id FROM agents)
HAVING count(*) > 0
UNION ALL
SELECT 'agent_prs', string_agg(DISTINCT author_id, ', ' ORDER BY author_id), count(*)
FROM pull_requests
WHERE author_id IN (SELECT person_id FROM agents)
HAVING count(*) > 0
UNION ALL
SELECT 'agent_commits', NULL, count(*)
FROM commits
WHERE author_id IN (SELECT person_id FROM agents)
HAVING count(*) > 0
)
SELECT * FROM effects
ORDER BY kind LIKE 'agent%', kind, items DESC, subject
