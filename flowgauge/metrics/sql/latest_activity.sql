-- The latest UTC timestamp of any delivery event in the snapshot, where a default report window ends.
-- Not windowed: PR opens and merges, deployment starts, incident opens and commit author times; values outside
-- [$earliest, $end) (a year-10000 typo in a copied-in snapshot) are skipped, as no report window can hold them.
SELECT max(event_at) AS latest_at
FROM (
    SELECT created_at AS event_at FROM pull_requests
    UNION ALL SELECT merged_at FROM pull_requests
    UNION ALL SELECT started_at FROM deployments
    UNION ALL SELECT opened_at FROM incidents
    UNION ALL SELECT authored_at FROM commits
)
WHERE event_at >= $earliest AND event_at < $end
