-- One row per sprint item with its sprint's team and end, its points and whether it was done in the sprint
-- (facts.py builds it). The items a selection can use: of sprints ending in [$start, $end) of the selected teams;
-- planning_values.sql narrows them to the selection and decides between points and items. The app keeps this for
-- the whole snapshot (see pr_facts.sql), so a view never joins sprint items to work items again.
-- A sprint with scope events (the Jira loader's changelog history) is read from them, exactly: planned = in the
-- sprint at its start (removed later or not), unplanned = added after the start, done = in the sprint and done at
-- its end, points = the estimate at the start (planned) or when added (unplanned). Other sprints read sprint_items.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
-- The window's sprints first, so only their scope events are read and grouped.
window_sprints AS (
    SELECT sprint_id FROM sprints
    WHERE ends_at >= $start AND ends_at < $end
        AND (len($teams::VARCHAR[]) = 0 OR team_id IN (SELECT team_id FROM selected_teams))
),
scoped AS (
    SELECT sprint_id, item_key,
        NOT bool_or(event = 'committed') AS added_after_start,
        coalesce(
            any_value(story_points) FILTER (WHERE event = 'committed'),
            arg_min(story_points, event_at) FILTER (WHERE event = 'added')
        ) AS story_points_at_start,
        bool_or(event = 'completed') AS completed_in_sprint
    FROM sprint_scope_events
    WHERE sprint_id IN (SELECT sprint_id FROM window_sprints)
    GROUP BY sprint_id, item_key
),
members AS (
    SELECT * FROM scoped
    UNION ALL BY NAME
    SELECT sprint_id, item_key, added_after_start, story_points_at_start, completed_in_sprint
    FROM sprint_items
    -- Every window sprint with scope events is in scoped (sprint_id is never NULL there). The window's sprints
    -- without scope events are found first: when there are none (a Jira changelog for every sprint), DuckDB skips
    -- reading sprint_items altogether.
    WHERE sprint_id IN (
        SELECT sprint_id FROM window_sprints WHERE sprint_id NOT IN (SELECT sprint_id FROM scoped)
    )
)
SELECT
    s.sprint_id, s.team_id, s.ends_at, si.item_key,
    -- NULL: the source could not tell (an export without a changelog); the item counts as planned, approximately.
    coalesce(si.added_after_start, false) AS added_after_start, si.added_after_start IS NULL AS scope_unknown,
    -- Work added mid-sprint has no estimate at the start: its current estimate stands in.
    CASE WHEN si.added_after_start THEN coalesce(si.story_points_at_start, w.story_points)
        ELSE si.story_points_at_start END AS points,
    coalesce(
        si.completed_in_sprint,
        w.resolved_at IS NOT NULL AND w.resolved_at < coalesce(s.completed_at, s.ends_at)
    ) AS completed
FROM sprints s
JOIN members si USING (sprint_id)
LEFT JOIN work_items w USING (item_key)
WHERE s.ends_at >= $start AND s.ends_at < $end
    AND (len($teams::VARCHAR[]) = 0 OR s.team_id IN (SELECT team_id FROM selected_teams))
