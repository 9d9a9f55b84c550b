-- Per sprint item (one row, both metrics): planned (in the sprint at its start) and completed, in points when the selection is estimated.
-- Window: sprints ending in [$start, $end); team = the sprint's team. Items added after the start are unplanned.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
items AS (
    SELECT
        s.sprint_id, s.team_id, s.ends_at, si.item_key, si.added_after_start,
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
),
-- Points when any planned item carries an estimate, else item counts.
basis AS (
    SELECT coalesce(sum(points) FILTER (WHERE NOT added_after_start), 0) > 0 AS by_points FROM items
),
weighted AS (
    SELECT
        i.*,
        CASE WHEN b.by_points THEN coalesce(i.points, 0) ELSE 1 END AS weight,
        CASE WHEN b.by_points AND i.points IS NULL THEN 'sprint items without an estimate: left out of points' END
            AS reason,
        CASE WHEN b.by_points THEN 'measured in story points' ELSE 'measured in items' END AS flag
    FROM items i, basis b
)
SELECT ends_at AS event_at, NULL::VARCHAR AS repo_id, NULL::VARCHAR AS service_id, NULL::VARCHAR AS actor_id,
    CASE WHEN team_id IS NULL THEN []::VARCHAR[] ELSE [team_id] END AS team_ids, sprint_id AS subject,
    NULL::VARCHAR AS point_kind,
    -- Planning accuracy measures the planned items only; capacity accuracy also counts the unplanned as done work.
    CASE WHEN NOT added_after_start THEN {num: completed::INTEGER * weight, den: weight, reason: reason, flag: flag}
    END AS planning_accuracy,
    {num: completed::INTEGER * weight, den: CASE WHEN added_after_start THEN 0 ELSE weight END, reason: reason,
        flag: flag} AS capacity_accuracy
FROM weighted
