-- Members of each team on the first day of every month of [$start, $end) (humans only; bots are not members).
WITH months AS (
    SELECT unnest(generate_series(date_trunc('month', $start::TIMESTAMP), $end::TIMESTAMP, INTERVAL 1 MONTH)) AS month
)
SELECT
    m.month::DATE AS month, t.team_id, t.name AS team, count(DISTINCT tm.person_id) AS members
FROM months m
CROSS JOIN teams t
LEFT JOIN team_memberships tm
    ON tm.team_id = t.team_id AND tm.valid_from <= m.month AND (tm.valid_to IS NULL OR tm.valid_to > m.month)
    AND tm.person_id NOT IN (SELECT person_id FROM people WHERE is_bot)
WHERE len($teams::VARCHAR[]) = 0 OR list_contains($teams::VARCHAR[], t.team_id)
GROUP BY ALL
ORDER BY month, team
