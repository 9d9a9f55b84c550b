-- Whether the snapshot holds each kind of data at all, so an empty metric can say which load is missing.
-- Not windowed; production deployments are those whose environment matches $prod_regex.
SELECT
    EXISTS (SELECT 1 FROM pull_requests) AS pull_requests,
    EXISTS (
        SELECT 1 FROM (SELECT DISTINCT environment FROM deployments) WHERE regexp_matches(environment, $prod_regex)
    ) AS production_deployments,
    EXISTS (SELECT 1 FROM incidents) AS incidents,
    EXISTS (SELECT 1 FROM commit_line_ages) AS commit_line_ages,
    EXISTS (SELECT 1 FROM sprints) AS sprints,
    -- A sprint without an end date (a Jira CSV export's, until a sprint calendar dates it) never ends in a window.
    EXISTS (SELECT 1 FROM sprints WHERE ends_at IS NOT NULL) AS dated_sprints,
    (SELECT count(*) FROM sprints WHERE ends_at IS NULL) AS undated_sprints,
    EXISTS (SELECT 1 FROM work_items) AS work_items,
    EXISTS (SELECT 1 FROM survey_responses) AS survey_responses,
    EXISTS (SELECT 1 FROM pr_reviews) AS pr_reviews
