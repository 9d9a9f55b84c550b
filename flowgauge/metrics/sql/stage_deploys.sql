-- Production deployments of the selection (status success|failure|error), each with the next one of its service/repo.
-- Window: started in [$start - $window_hours, $end) so incidents early in the window can link back; team = owner team.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
),
-- The environment regex runs once per distinct environment name, not once per deployment.
production_environments AS (
    SELECT environment FROM (SELECT DISTINCT environment FROM deployments)
    WHERE regexp_matches(environment, $prod_regex, 'i')
        AND (len($environments::VARCHAR[]) = 0 OR list_contains($environments::VARCHAR[], environment))
),
production AS (
    SELECT
        d.deployment_id, d.repo_id, d.service_id, d.environment, d.status, d.deploy_kind, d.started_at, d.finished_at,
        coalesce(d.service_id, d.repo_id) AS scope_key,
        coalesce(s.owner_team_id, r.owner_team_id) AS owner_team_id
    FROM deployments d
    LEFT JOIN services s ON s.service_id = d.service_id
    LEFT JOIN repositories r ON r.repo_id = d.repo_id
    WHERE d.environment IN (SELECT environment FROM production_environments)
        AND d.status IN ('success', 'failure', 'error')
        AND d.started_at >= $start - to_hours($window_hours::BIGINT)
        AND (len($repos::VARCHAR[]) = 0 OR list_contains($repos::VARCHAR[], d.repo_id))
        AND (len($services::VARCHAR[]) = 0 OR list_contains($services::VARCHAR[], d.service_id))
        AND (len($teams::VARCHAR[]) = 0 OR coalesce(s.owner_team_id, r.owner_team_id) IN (SELECT team_id FROM selected_teams))
),
ordered AS (
    SELECT
        *,
        lead(deploy_kind) OVER next_in_scope AS next_kind,
        lead(started_at) OVER next_in_scope AS next_started_at
    FROM production
    WINDOW next_in_scope AS (PARTITION BY scope_key ORDER BY started_at, deployment_id)
),
successes AS (SELECT scope_key, started_at, coalesce(finished_at, started_at) AS done_at FROM production WHERE status = 'success')
SELECT
    o.* EXCLUDE (owner_team_id),
    CASE WHEN o.owner_team_id IS NULL THEN []::VARCHAR[] ELSE [o.owner_team_id] END AS team_ids,
    o.started_at >= $start AND o.started_at < $end AS in_window,
    nxt.done_at AS next_success_done_at
FROM ordered o
ASOF LEFT JOIN successes nxt ON o.scope_key = nxt.scope_key AND nxt.started_at > o.started_at
WHERE o.started_at < $end
