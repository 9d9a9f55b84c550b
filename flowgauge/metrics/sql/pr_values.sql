-- Per merged PR: the items of the flow, lead time, size, merge frequency, PR hygiene and code-origin metrics, read from
-- fg_selected_prs (pr_selection.sql, over fg_pr_facts). Window: merged in [$start, $end) (acceptance rate: closed,
-- merged or not, in it); reason says why an item has no value. A merged PR is one row measuring every flow metric at once (see aggregation.py for the row shape).
-- Waiting and stale PRs are pr_open_values.sql's: aggregated apart, neither carries the other's columns.
WITH prs AS NOT MATERIALIZED (
    -- Inlined, so the scan reads only the columns and (facts being in event order) the row groups it needs.
    SELECT
        *,
        -- Word for word as metrics/engine.py's APPROXIMATE_DEPLOYMENTS, which the cards and the cluster look for.
        CASE WHEN deploy_approximate THEN 'approximate: deployments inferred from merges' END AS approximate_flag,
        CASE WHEN code_origin = 'unknown'
            THEN 'code origin unknown: the loader saw no commits or description' END AS origin_unknown,
        CASE WHEN merged_only_source
            THEN 'PRs read from git history, which holds merged PRs only: not in acceptance rate' END AS merged_only_reason
    FROM fg_selected_prs($teams::VARCHAR[], $repos::VARCHAR[], $services::VARCHAR[], $include_bots, $origins::VARCHAR[])
),
merged_items AS (
    SELECT
        event_at, repo_id, service_id, team_ids,
        CASE WHEN author_kind = 'unknown' THEN '(unknown author)' ELSE author_id END AS actor_id,
        {value: coding_hours, reason: coalesce(bot_reason,
            CASE WHEN first_commit_at IS NULL THEN 'no first commit time: coding time unknown' END)} AS coding_time,
        {value: pickup_hours, reason: coalesce(bot_reason,
            CASE WHEN review_at IS NULL THEN 'merged without review: pickup time has no value' END)} AS pickup_time,
        {value: approve_hours, reason: coalesce(bot_reason, CASE
            WHEN review_at IS NULL THEN 'merged without review: approve time has no value'
            WHEN approval_at IS NULL THEN 'merged without approval: approve time has no value'
        END)} AS approve_time,
        {value: merge_hours, reason: coalesce(bot_reason,
            CASE WHEN approval_at IS NULL THEN 'merged without approval: merge time has no value' END)} AS merge_time,
        {value: review_hours, reason: coalesce(bot_reason,
            CASE WHEN review_at IS NULL THEN 'merged without review: review time has no value' END)} AS review_time,
        {value: deploy_hours, link_rule: deploy_link_rule, flag: approximate_flag, reason: coalesce(bot_reason, CASE
            WHEN deployed_at IS NOT NULL THEN NULL
            WHEN named_only_before_merge
                THEN 'only deployments that started before the merge name it, none since: deploy time unknown'
            WHEN has_deploy_data THEN 'no production deployment yet: deploy time unknown'
            ELSE 'no deployment data for their repository/service: deploy time unknown'
        END)} AS deploy_time,
        {value: cycle_hours, link_rule: deploy_link_rule,
            flag: CASE WHEN NOT has_deploy_data THEN 'cycle time measured to merge: no deployment data'
                ELSE approximate_flag END,
            reason: coalesce(bot_reason, CASE
                WHEN first_commit_at IS NULL THEN 'no first commit time: cycle time unknown'
                WHEN named_only_before_merge
                    THEN 'only deployments that started before the merge name it, none since: cycle time unknown'
                WHEN has_deploy_data AND deployed_at IS NULL THEN 'no production deployment yet: cycle time unknown'
            END)} AS cycle_time,
        {value: lead_hours, link_rule: deploy_link_rule, flag: approximate_flag, reason: coalesce(bot_reason, CASE
            WHEN first_commit_at IS NULL THEN 'no first commit time: lead time unknown'
            WHEN deployed_at IS NOT NULL THEN NULL
            WHEN named_only_before_merge
                THEN 'only deployments that started before the merge name it, none since: lead time unknown'
            WHEN has_deploy_data THEN 'no production deployment yet: lead time unknown'
            ELSE 'no deployment data for their repository/service: lead time unknown'
        END)} AS lead_time_for_changes,
        {value: size_lines, reason: coalesce(bot_reason,
            CASE WHEN size_unknown THEN 'no line counts: size unknown' END)} AS pr_size,
        {value: round(greatest(0.1, 1 - lines_changed_after_open / size_lines), 2),
            num: size_lines * round(greatest(0.1, 1 - lines_changed_after_open / size_lines), 2),
            den: size_lines,
            reason: coalesce(bot_reason, CASE
                WHEN size_unknown OR size_lines <= 10 THEN 'PRs of 10 lines or fewer: maturity not rated'
                WHEN lines_changed_after_open IS NULL THEN 'no after-open change counts: maturity unknown'
            END)} AS pr_maturity,
        -- Per developer: PRs with no known author (kept only with the bots) count under one author of their own,
        -- '(unknown author)', and say so. A coding agent's PR is delivered work, counted, but an agent is never a
        -- developer: it counts under no one (actor NULL), and says so.
        {num: 1, reason: bot_reason,
            actor: CASE WHEN author_kind = 'agent' THEN NULL
                WHEN author_kind = 'unknown' THEN '(unknown author)' ELSE author_id END,
            flag: CASE
                WHEN author_kind = 'unknown' AND bot_reason IS NULL THEN 'PRs with no known author counted as one developer'
                WHEN author_kind = 'agent' THEN 'PRs from coding agents counted, not given a developer of their own'
            END} AS merge_frequency,
        {num: has_issue_key::INTEGER, den: 1, reason: bot_reason} AS pm_prs_linked_to_issue,
        {num: 1, den: 1, reason: coalesce(bot_reason, merged_only_reason)} AS acceptance_rate,
        {num: (code_origin = 'agentic')::INTEGER, den: 1, reason: coalesce(bot_reason, origin_unknown)}
            AS agentic_pr_share,
        {num: (code_origin = 'ai_assisted')::INTEGER, den: 1, reason: coalesce(bot_reason, origin_unknown)}
            AS ai_assisted_pr_share
    FROM prs
    -- A merged PR's event_at is its merge time: bounding it too lets the scan skip other periods' row groups.
    WHERE merged_at >= $start AND merged_at < $end AND event_at >= $start AND event_at < $end
),
-- Acceptance rate's other items: PRs closed without merging in the window (the merged ones are merged_items).
closed_items AS (
    SELECT
        closed_at AS event_at, repo_id, service_id, team_ids,
        CASE WHEN author_kind = 'unknown' THEN '(unknown author)' ELSE author_id END AS actor_id,
        {num: 0, den: 1, reason: coalesce(bot_reason, merged_only_reason)} AS acceptance_rate
    FROM prs
    -- event_at (ready or created) comes before the close: bounding it skips later periods' row groups.
    WHERE merged_at IS NULL AND closed_at >= $start AND closed_at < $end AND event_at < $end
)
SELECT *, NULL::VARCHAR AS subject, NULL::VARCHAR AS point_kind FROM merged_items
UNION ALL BY NAME
SELECT *, NULL::VARCHAR AS subject, NULL::VARCHAR AS point_kind FROM closed_items
