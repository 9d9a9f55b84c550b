-- Per survey answer: the score as a percent of its scale's top, so 1-5 and 1-10 surveys compare; subject = question.
-- Window: answers given on days in [$start, $end); team = the respondent's team as the survey recorded it.
WITH selected_teams AS (
    SELECT team_id FROM teams WHERE list_contains($teams::VARCHAR[], team_id) OR list_contains($teams::VARCHAR[], name)
)
SELECT responded_on::TIMESTAMP AS event_at, NULL::VARCHAR AS repo_id, NULL::VARCHAR AS service_id,
    nullif(respondent, '') AS actor_id, CASE WHEN team_id IS NULL THEN []::VARCHAR[] ELSE [team_id] END AS team_ids,
    question AS subject, NULL::VARCHAR AS point_kind,
    {value: CASE WHEN scale_max > 0 THEN 100.0 * score / scale_max END,
        reason: CASE WHEN scale_max <= 0 THEN 'answers with no scale' END} AS survey_score
FROM survey_responses
WHERE responded_on >= $start::DATE AND responded_on < $end::DATE
    AND (len($teams::VARCHAR[]) = 0 OR team_id IN (SELECT team_id FROM selected_teams))
