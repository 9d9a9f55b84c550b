-- Production deployments started in [$start, $end) (from fg_deploys) with what makes one count as failed: its own
-- status, incidents linked to it (fg_incidents), or an unplanned hotfix/rollback of its service within
-- $window_hours. The one definition of a failed deployment: change failure rate, recovery time and the app's
-- deployment list all read it here.
WITH incident_counts AS (
    SELECT deployment_id, count(*) AS incidents FROM fg_incidents WHERE deployment_id IS NOT NULL GROUP BY deployment_id
),
marked AS (
    SELECT
        d.*,
        coalesce(c.incidents, 0) AS incidents_linked,
        -- coalesce: the latest deployment has no next one, and NULL would drop it from the numerator's sum.
        coalesce(d.next_kind IN ('hotfix', 'rollback')
            AND epoch(d.next_started_at) - epoch(d.started_at) <= $window_hours * 3600, false) AS followed_by_fix
    FROM fg_deploys d
    LEFT JOIN incident_counts c USING (deployment_id)
    WHERE d.in_window
)
SELECT *, status IN ('failure', 'error') OR incidents_linked > 0 OR followed_by_fix AS failed
FROM marked
