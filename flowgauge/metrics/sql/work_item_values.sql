-- Per work item (one row, all three metrics) with active work in the window: linked to a parent (sub-tasks left out, and
-- epics unless the rule epics_need_parent is true), estimated, assigned.
-- Window: started (else created) before $end and not resolved before $start, from fg_work_item_facts
-- (work_item_facts.sql); team = item team, else assignee's team.
WITH chosen AS (
    SELECT list(team_id) AS team_ids FROM teams
    WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
scoped AS (
    SELECT w.* FROM fg_work_item_facts w, chosen
    WHERE w.active_from < $end AND (w.resolved_at IS NULL OR w.resolved_at >= $start)
        -- A lambda over the short team list: several times faster in DuckDB than list_has_any.
        AND (len($teams::VARCHAR[]) = 0 OR list_bool_or(list_transform(w.team_ids, lambda t: list_contains(chosen.team_ids, t))))
)
SELECT active_from AS event_at, NULL::VARCHAR AS repo_id, NULL::VARCHAR AS service_id, assignee_id AS actor_id,
    team_ids, item_key AS subject, NULL::VARCHAR AS point_kind,
    -- Epics count only under the rule epics_need_parent: an epic's parent is an initiative most teams don't track.
    CASE WHEN NOT is_subtask THEN {num: (parent_key IS NOT NULL)::INTEGER, den: 1,
        reason: CASE WHEN is_epic AND NOT $epics_need_parent THEN 'epics: left out by the rule epics_need_parent = false'
        END} END AS pm_issues_linked_to_parent,
    {num: (story_points IS NOT NULL)::INTEGER, den: 1} AS pm_in_progress_with_estimate,
    {num: (assignee_id IS NOT NULL)::INTEGER, den: 1} AS pm_in_progress_with_assignee
FROM scoped
