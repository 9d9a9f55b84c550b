-- Incidents opened in [$start, $end) as the metrics engine staged and linked them (fg_incidents), with their title,
-- severity and link; hours_to_resolve is resolved minus opened (NULL while open).
SELECT
    i.incident_id, src.title, src.severity, i.repo_id, i.service_id, i.opened_at, i.resolved_at,
    (epoch(i.resolved_at) - epoch(i.opened_at)) / 3600.0 AS hours_to_resolve,
    i.resolved_at IS NULL AS still_open, i.deployment_id AS caused_by_deployment, i.link_rule, src.url
FROM fg_incidents i
JOIN incidents src USING (incident_id)
WHERE i.in_window AND i.opened_at >= $start
ORDER BY i.opened_at DESC
