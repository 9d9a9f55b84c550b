-- fg_selected_prs(teams, repos, services, include_bots, origins): the PR facts (fg_pr_facts) of the selected
-- repositories, services, teams and code origins (empty lists: all), with bot_reason set on PRs of bots and of
-- unknown authors unless bots are included (one rule: what is neither a person's nor a coding agent's work is left
-- out with the bots). The one
-- selection both PR values files read (pr_values.sql, pr_open_values.sql); defined on each call's private cursor.
-- A table macro is expanded where it is used, so each read still scans only the columns and row groups it needs.
CREATE OR REPLACE TEMP MACRO fg_selected_prs(chosen_teams, chosen_repos, chosen_services, with_bots, chosen_origins) AS TABLE
WITH chosen AS (
    SELECT list(team_id) AS team_ids FROM teams
    WHERE list_contains(chosen_teams, team_id) OR list_contains(chosen_teams, name)
)
SELECT
    repo_id, service_id, author_id, p.team_ids, event_at, ready_at, created_at, merged_at, closed_at,
    first_commit_at, review_at, approval_at, deployed_at, deploy_link_rule, deploy_approximate,
    named_only_before_merge, has_deploy_data, size_lines,
    size_unknown, lines_changed_after_open, has_issue_key, coding_hours, pickup_hours, approve_hours, merge_hours,
    review_hours, deploy_hours, lead_hours, cycle_hours, author_kind, code_origin, merged_only_source,
    CASE
        WHEN with_bots THEN NULL
        WHEN author_kind = 'bot' THEN 'bot-authored PRs excluded'
        WHEN author_kind = 'unknown' THEN 'PRs with no known author excluded with the bots'
    END AS bot_reason
FROM fg_pr_facts p, chosen
WHERE (len(chosen_repos) = 0 OR list_contains(chosen_repos, p.repo_id))
    AND (len(chosen_services) = 0 OR list_contains(chosen_services, p.service_id))
    AND (len(chosen_origins) = 0 OR list_contains(chosen_origins, p.code_origin))
    -- A lambda over the short team list: several times faster in DuckDB than list_has_any.
    AND (len(chosen_teams) = 0 OR list_bool_or(list_transform(p.team_ids, lambda t: list_contains(chosen.team_ids, t))))
