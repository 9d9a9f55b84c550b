-- One row per sprint item with its sprint's team and end, its points and whether it was done in the sprint
-- (facts.py builds it). The items a selection can use: of sprints ending in [$start, $end) of the selected teams;
-- planning_values.sql narrows them to the selection and decides between points and items. The app keeps this for
-- the whole snapshot (see pr_facts.sql), so a view never joins sprint items to work items again.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
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
JOIN sprint_items si USING (sprint_id)
LEFT JOIN work_items w USING (item_key)
WHERE s.ends_at >= $start AND s.ends_at < $end
    AND (len($teams::VARCHAR[]) = 0 OR s.team_id IN (SELECT team_id FROM selected_teams))
