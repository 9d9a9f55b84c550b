-- Per work item with active work in the window: linked to a parent (sub-tasks left out), estimated, assigned.
-- Window: started (else created) before $end and not resolved before $start; team = item team, else assignee's team.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
active AS (
    SELECT w.*, coalesce(w.started_at, w.created_at) AS active_from
    FROM work_items w
    WHERE w.status_category IN ('in_progress', 'done')
        AND coalesce(w.started_at, w.created_at) < $end
        AND (w.resolved_at IS NULL OR w.resolved_at >= $start)
),
assignee_teams AS (
    SELECT a.item_key, list(DISTINCT m.team_id ORDER BY m.team_id) AS team_ids
    FROM active a
    JOIN team_memberships m
        ON m.person_id = a.assignee_id AND m.valid_from <= a.active_from
        AND (m.valid_to IS NULL OR a.active_from < m.valid_to)
    GROUP BY a.item_key
),
with_teams AS (
    SELECT a.*, CASE WHEN a.team_id IS NOT NULL THEN [a.team_id] ELSE coalesce(t.team_ids, []) END AS team_ids
    FROM active a
    LEFT JOIN assignee_teams t USING (item_key)
),
scoped AS (
    SELECT * FROM with_teams
    WHERE len($teams::VARCHAR[]) = 0 OR list_has_any(team_ids, (SELECT list(team_id) FROM selected_teams))
),
rows AS (
    SELECT 'pm_issues_linked_to_parent' AS metric_id, *, (parent_key IS NOT NULL)::INTEGER AS num FROM scoped
    WHERE NOT is_subtask
    UNION ALL BY NAME
    SELECT 'pm_in_progress_with_estimate' AS metric_id, *, (story_points IS NOT NULL)::INTEGER AS num FROM scoped
    UNION ALL BY NAME
    SELECT 'pm_in_progress_with_assignee' AS metric_id, *, (assignee_id IS NOT NULL)::INTEGER AS num FROM scoped
)
SELECT metric_id, active_from AS event_at, NULL::VARCHAR AS repo_id, NULL::VARCHAR AS service_id,
    assignee_id AS actor_id, team_ids, item_key AS subject, NULL::DOUBLE AS value, num::DOUBLE AS num, 1.0::DOUBLE AS den,
    NULL::VARCHAR AS reason, NULL::VARCHAR AS flag, NULL::VARCHAR AS link_rule
FROM rows
