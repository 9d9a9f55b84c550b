-- Production deployments (status success|failure|error), each with the next one of its service (else repository)
-- and the next successful one: what change failure rate and recovery time look ahead to. Deployments whose state
-- is unknown (they never reported a status) come along without a next one, only to be counted as left out.
-- Window: started from $start - $window_hours on, so incidents early in a window can link back; no upper bound,
-- because the deployment that fixes one may come after the window. Never narrowed by team, repository or service:
-- the next deployment of a service is the next one whoever made it, so a filter cannot change whether a
-- deployment counts as failed (and kept facts serve every selection).
WITH production_environments AS (
    -- The environment regex runs once per distinct environment name, not once per deployment; only names of the
    -- deployments read below are gathered.
    SELECT environment FROM (
        SELECT DISTINCT environment FROM deployments WHERE started_at >= $start - to_hours($window_hours::BIGINT)
    )
    WHERE regexp_matches(environment, $prod_regex)
        AND (len($environments::VARCHAR[]) = 0 OR list_contains($environments::VARCHAR[], environment))
),
production AS (
    SELECT
        d.deployment_id, d.repo_id, d.service_id, d.environment, d.status, d.deploy_kind, d.started_at, d.finished_at,
        d.is_approximate, coalesce(d.service_id, d.repo_id) AS scope_key,
        coalesce(s.owner_team_id, r.owner_team_id) AS owner_team_id
    FROM deployments d
    LEFT JOIN services s ON s.service_id = d.service_id
    LEFT JOIN repositories r ON r.repo_id = d.repo_id
    WHERE d.environment IN (SELECT environment FROM production_environments)
        AND d.status IN ('success', 'failure', 'error', 'unknown')
        AND d.started_at >= $start - to_hours($window_hours::BIGINT)
),
ordered AS (
    SELECT
        *,
        lead(deploy_kind) OVER next_in_scope AS next_kind,
        lead(started_at) OVER next_in_scope AS next_started_at
    FROM production
    WHERE status <> 'unknown'
    WINDOW next_in_scope AS (PARTITION BY scope_key ORDER BY started_at, deployment_id)
),
successes AS (SELECT scope_key, started_at, coalesce(finished_at, started_at) AS done_at FROM production WHERE status = 'success')
SELECT
    o.*,
    nxt.done_at AS next_success_done_at
FROM ordered o
ASOF LEFT JOIN successes nxt ON o.scope_key = nxt.scope_key AND nxt.started_at > o.started_at
UNION ALL BY NAME
SELECT *, NULL::VARCHAR AS next_kind, NULL::TIMESTAMP AS next_started_at, NULL::TIMESTAMP AS next_success_done_at
FROM production
WHERE status = 'unknown'
