-- What effort allocation counts: one row per PR merged and per work item resolved in [$start, $end), plus the work
-- items those PRs name (counted false: only their category is read), with everything the allocation rules read.
-- Team: a PR's author's teams at its merge, a work item's own team else its assignee's teams at its resolution (the
-- metrics' rules). Engineer-weeks: each person-authored merged PR carries 1 / (its author's merged PRs that ISO week),
-- so an author's week sums to one whatever their PRs' categories; coding agents' PRs count but carry none.
-- left_out says why a row is not counted.
WITH chosen AS (
    SELECT list(team_id) AS team_ids FROM teams
    WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
-- The metrics' bot rule (stage_bots.sql and pr_facts.sql): people flagged as bots, '[bot]' logins, the rules' lists.
bots AS (
    SELECT person_id FROM people
    WHERE is_bot OR ends_with(lower(person_id), '[bot]') OR list_contains($bot_logins::VARCHAR[], lower(person_id))
        OR ($bot_login_regex <> '' AND regexp_matches(person_id, $bot_login_regex))
    UNION
    SELECT person_id FROM person_aliases
    WHERE alias_kind = 'login' AND (
        ends_with(lower(alias), '[bot]') OR list_contains($bot_logins::VARCHAR[], lower(alias))
        OR ($bot_login_regex <> '' AND regexp_matches(alias, $bot_login_regex))
    )
),
merged AS (
    SELECT
        p.pr_id, p.author_id, p.merged_at, p.title, p.head_branch,
        coalesce(p.labels, []) AS labels, coalesce(p.issue_keys, []) AS issue_keys,
        CASE
            WHEN p.author_id IS NULL OR lower(p.author_id) = 'ghost' THEN 'unknown'
            WHEN p.author_id IN (SELECT person_id FROM bots)
                OR ends_with(lower(p.author_id), '[bot]')
                OR list_contains($bot_logins::VARCHAR[], lower(p.author_id))
                OR ($bot_login_regex <> '' AND regexp_matches(p.author_id, $bot_login_regex))
                OR ($bot_title_regex <> '' AND regexp_matches(coalesce(p.title, ''), $bot_title_regex))
                -- As pr_facts.sql: a bot's PR its loader found agentic is a coding agent's, delivered work counted
                -- like a person's PR, though it gives no engineer-weeks (an agent is not an engineer).
                THEN CASE WHEN o.origin = 'agentic' THEN 'agent' ELSE 'bot' END
            ELSE 'person'
        END AS author_kind
    FROM pull_requests p
    LEFT JOIN pr_code_origins o USING (pr_id)
    WHERE p.merged_at >= $start AND p.merged_at < $end
        AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], p.repo_id))
        AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], p.service_id))
),
pr_teams AS (
    SELECT p.pr_id, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM merged p
    JOIN team_memberships m
        ON m.person_id = p.author_id AND m.valid_from <= p.merged_at AND (m.valid_to IS NULL OR p.merged_at < m.valid_to)
    GROUP BY p.pr_id
),
-- PRs shipped by a hotfix or rollback deployment (named by it, or its merge commit among the deployment's commits).
fix_deploys AS (SELECT deployment_id FROM deployments WHERE deploy_kind IN ('hotfix', 'rollback')),
incident_fixes AS (
    SELECT dp.pr_id FROM deployment_pull_requests dp WHERE dp.deployment_id IN (SELECT deployment_id FROM fix_deploys)
    UNION
    SELECT p.pr_id
    FROM deployment_commits dc
    JOIN pull_requests p ON p.repo_id = dc.repo_id AND p.merge_commit_sha = dc.sha
    WHERE dc.deployment_id IN (SELECT deployment_id FROM fix_deploys)
),
incident_fix_items AS (
    SELECT DISTINCT unnest(issue_keys) AS item_key FROM pull_requests WHERE pr_id IN (SELECT pr_id FROM incident_fixes)
),
resolved AS (
    SELECT item_key FROM work_items
    WHERE status_category = 'done' AND resolved_at >= $start AND resolved_at < $end
),
named AS (SELECT DISTINCT unnest(issue_keys) AS item_key FROM merged),
-- Jira's epic issue type in the languages it ships (as work_item_facts.sql).
epics AS (
    SELECT item_key, summary FROM work_items
    WHERE lower(item_type) IN ('epic', 'épica', 'epica', 'épico', 'epico', 'épique')
),
items AS (
    SELECT
        w.*,
        w.item_key IN (SELECT item_key FROM resolved) AS counted,
        w.item_key IN (SELECT item_key FROM epics) AS is_epic
    FROM work_items w
    WHERE w.item_key IN (SELECT item_key FROM resolved) OR w.item_key IN (SELECT item_key FROM named)
),
-- An item's epic: its parent when that is an epic, else its parent's parent when that is one (a sub-task's story's).
item_epics AS (
    SELECT
        i.item_key,
        CASE WHEN e1.item_key IS NOT NULL THEN e1.item_key ELSE e2.item_key END AS epic_key,
        CASE WHEN e1.item_key IS NOT NULL THEN e1.summary ELSE e2.summary END AS epic_name
    FROM items i
    LEFT JOIN epics e1 ON e1.item_key = i.parent_key
    LEFT JOIN work_items parent ON parent.item_key = i.parent_key
    LEFT JOIN epics e2 ON e2.item_key = parent.parent_key
),
assignee_teams AS (
    SELECT i.item_key, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM items i
    JOIN team_memberships m
        ON m.person_id = i.assignee_id AND m.valid_from <= i.resolved_at
        AND (m.valid_to IS NULL OR i.resolved_at < m.valid_to)
    WHERE i.counted AND i.team_id IS NULL
    GROUP BY i.item_key
),
rows AS (
    SELECT
        'pull_request' AS kind, p.pr_id AS item_id, true AS counted, p.merged_at AS done_at,
        coalesce(t.team_ids, []) AS team_ids, p.author_id, p.author_kind,
        p.labels, p.head_branch AS branch, p.title, NULL::VARCHAR AS item_type,
        NULL::VARCHAR AS epic_key, NULL::VARCHAR AS epic_name,
        p.pr_id IN (SELECT pr_id FROM incident_fixes) AS incident_fix, p.issue_keys, NULL::DOUBLE AS story_points,
        CASE
            WHEN $include_bots THEN NULL
            WHEN p.author_kind = 'bot' THEN 'bot-authored PRs (bots are left out)'
            WHEN p.author_kind = 'unknown' THEN 'PRs with no known author (left out with the bots)'
        END AS left_out
    FROM merged p
    LEFT JOIN pr_teams t USING (pr_id)
    UNION ALL
    SELECT
        'work_item', i.item_key, i.counted, i.resolved_at,
        CASE WHEN i.team_id IS NOT NULL THEN [i.team_id] ELSE coalesce(t.team_ids, []) END,
        NULL, NULL,
        coalesce(i.labels, []), NULL, i.summary, i.item_type, e.epic_key, e.epic_name,
        i.item_key IN (SELECT item_key FROM incident_fix_items), [], i.story_points,
        CASE
            WHEN i.is_epic THEN 'epics (their stories and tasks are counted)'
            WHEN i.is_subtask THEN 'sub-tasks (their parent is counted)'
        END
    FROM items i
    LEFT JOIN item_epics e USING (item_key)
    LEFT JOIN assignee_teams t USING (item_key)
),
weighted AS (
    SELECT
        r.*,
        date_trunc('month', r.done_at)::DATE AS month,
        CASE WHEN r.kind = 'pull_request' AND r.author_kind = 'person' AND r.left_out IS NULL
            THEN 1.0 / count(*) OVER (PARTITION BY r.kind, r.author_kind, r.left_out IS NULL, r.author_id,
                date_trunc('week', r.done_at))
        END AS engineer_weeks
    FROM rows r
),
scoped AS (
    SELECT w.*, len($teams::VARCHAR[]) = 0
        OR coalesce(list_bool_or(list_transform(w.team_ids, lambda t: list_contains(chosen.team_ids, t))), false)
        AS in_scope
    FROM weighted w, chosen
)
-- counted: in the window and the selected teams. Work items outside the teams stay (not counted): a PR takes the
-- category of the item it names whichever team the item belongs to.
SELECT * EXCLUDE (in_scope) REPLACE (counted AND in_scope AS counted)
FROM scoped
WHERE in_scope OR kind = 'work_item'
