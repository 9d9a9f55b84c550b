-- Per sprint item (one row, both metrics): planned (in the sprint at its start) and completed, in points when the selection is estimated.
-- Window: sprints ending in [$start, $end); team = the sprint's team. Items added after the start are unplanned; an item
-- whose source could not tell (no changelog) counts as planned and is flagged approximate.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
items AS (
    -- Each item's points and completion come from the facts (sprint_item_facts.sql).
    SELECT f.sprint_id, f.team_id, f.ends_at, f.item_key, f.added_after_start, f.scope_unknown, f.points, f.completed
    FROM fg_sprint_item_facts f
    WHERE f.ends_at >= $start AND f.ends_at < $end
        AND (len($teams::VARCHAR[]) = 0 OR f.team_id IN (SELECT team_id FROM selected_teams))
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
        -- An item whose sprint has no changelog counts as planned: the value is approximate, and says so.
        CASE WHEN i.scope_unknown THEN 'approximate: no changelog, so work added after the sprint started is unknown '
                || 'and every item in the sprint at its end counts as planned ('
                || CASE WHEN b.by_points THEN 'story points' ELSE 'items' END
                || '; load sprints with the Jira loader for exact figures)'
            WHEN b.by_points THEN 'measured in story points' ELSE 'measured in items' END AS flag
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
