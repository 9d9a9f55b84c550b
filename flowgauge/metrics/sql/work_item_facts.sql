-- One row per work item in progress or done, with when its work became active (started, else created) and its
-- teams: the item's own team, else its assignee's teams at that time (facts.py builds it).
-- The items a selection can use: active work in [$start, $end); work_item_values.sql narrows them to the selection.
-- The app keeps this for the whole snapshot (see pr_facts.sql).
WITH active AS (
    SELECT w.item_key, w.team_id, w.assignee_id, w.parent_key, w.is_subtask, w.story_points, w.resolved_at,
        coalesce(w.started_at, w.created_at) AS active_from,
        -- Jira's epic issue type in the languages it ships ('Epic' in English, German, French, Italian).
        coalesce(lower(w.item_type) IN ('epic', 'épica', 'epica', 'épico', 'epico', 'épique'), false) AS is_epic
    FROM work_items w
    WHERE w.status_category IN ('in_progress', 'done')
        AND coalesce(w.started_at, w.created_at) < $end AND (w.resolved_at IS NULL OR w.resolved_at >= $start)
),
-- Only items without a team of their own take their assignee's (most trackers name the team on every item).
assignee_teams AS (
    SELECT a.item_key, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM active a
    JOIN team_memberships m
        ON m.person_id = a.assignee_id AND m.valid_from <= a.active_from
        AND (m.valid_to IS NULL OR a.active_from < m.valid_to)
    WHERE a.team_id IS NULL
    GROUP BY a.item_key
)
SELECT a.*, CASE WHEN a.team_id IS NOT NULL THEN [a.team_id] ELSE coalesce(t.team_ids, []) END AS team_ids
FROM active a
LEFT JOIN assignee_teams t USING (item_key)
