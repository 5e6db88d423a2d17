-- The KPI set of `cxaudit kpis --by channel`, over the same CSV files, in DuckDB SQL.
--
-- Placeholders, filled in by kpis.py: {contacts} and {surveys} (CSV paths),
-- {start} and {end} (the assessment period, local dates), {tz} (the evidence's
-- time zone), {fmt} (its timestamp format).
--
-- The definitions follow `cxaudit kpis` with its defaults (plugins/kpis):
-- rows belong to the period by the local date of `arrived_at` (contacts) or
-- `invited_at` (surveys); service level T = 20 s over the voice, chat and
-- messaging channels, short abandons (<= 5 s) left out of its denominator;
-- the abandon rate is abandoned / offered; FCR with a 7-day window, data end
-- = the last arrival of the period. By channel, the interval, adherence,
-- attrition and business-daily KPIs are not defined (cxaudit says why), so
-- ten KPIs remain.

CREATE TEMP TABLE c AS
SELECT
    coalesce(channel, '') AS channel,
    nullif(customer_id, '') AS customer_id,
    -- Instants in UTC milliseconds: waits are exact across daylight-saving changes.
    epoch_ms(timezone('{tz}', arrived_at)) AS arrived,
    epoch_ms(timezone('{tz}', answered_at)) AS answered,
    epoch_ms(timezone('{tz}', ended_at)) AS ended,
    coalesce(talk_seconds, 0) + coalesce(hold_seconds, 0) + coalesce(wrap_seconds, 0) AS handle,
    coalesce(abandoned, false) AS abandoned,
    coalesce(transferred, false) AS transferred
FROM read_csv('{contacts}', header = true, timestampformat = '{fmt}',
     columns = {
       'contact_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'channel': 'VARCHAR',
       'queue': 'VARCHAR', 'agent_id': 'VARCHAR', 'arrived_at': 'TIMESTAMP',
       'answered_at': 'TIMESTAMP', 'ended_at': 'TIMESTAMP', 'talk_seconds': 'DOUBLE',
       'hold_seconds': 'DOUBLE', 'wrap_seconds': 'DOUBLE', 'abandoned': 'BOOLEAN',
       'transferred': 'BOOLEAN', 'resolved': 'VARCHAR', 'contact_reason': 'VARCHAR'})
WHERE CAST(arrived_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}';

-- FCR: a contact with a customer, not abandoned and with an end is eligible when
-- its window (end + 7 days) closes by the data end; it generates a repeat when
-- the same customer's first arrival after its end falls inside the window. That
-- first arrival: each eligible end is an event among the customer's arrivals,
-- sorted by time (an arrival at the very instant of the end is not after it).
CREATE TEMP TABLE fcr AS
WITH ends AS (SELECT max(arrived) AS data_end FROM c),
events AS (
    SELECT customer_id, arrived AS t, 0 AS kind, NULL AS channel
    FROM c WHERE customer_id IS NOT NULL
    UNION ALL
    SELECT customer_id, ended, 1, channel
    FROM c, ends
    WHERE customer_id IS NOT NULL AND NOT abandoned AND ended IS NOT NULL
      AND ended + 7 * 86400000 <= ends.data_end
),
probed AS (
    SELECT kind, channel, t AS ended,
           min(CASE WHEN kind = 0 THEN t END) OVER (
               PARTITION BY customer_id ORDER BY t, kind
               ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS next_arrival
    FROM events
)
SELECT channel,
       count(*) AS eligible,
       count(*) FILTER (WHERE next_arrival <= ended + 7 * 86400000) AS repeats
FROM probed WHERE kind = 1
GROUP BY channel;

CREATE TEMP TABLE timing AS
SELECT channel,
       NOT abandoned AND answered IS NOT NULL AS is_answered,
       abandoned,
       CASE WHEN NOT abandoned AND answered IS NOT NULL THEN (answered - arrived) / 1000.0
            WHEN ended IS NOT NULL THEN (ended - arrived) / 1000.0
            ELSE 'Infinity'::DOUBLE END AS wait
FROM c
WHERE channel IN ('voice', 'chat', 'messaging');

CREATE TEMP TABLE service AS
SELECT channel,
       count(*) AS offered,
       count(*) FILTER (WHERE is_answered) AS answered,
       count(*) FILTER (WHERE is_answered AND wait <= 20) AS answered_within,
       count(*) FILTER (WHERE NOT is_answered AND abandoned) AS abandoned,
       count(*) FILTER (WHERE NOT is_answered AND abandoned AND wait <= 5) AS short_abandoned,
       sum(wait) FILTER (WHERE is_answered) AS answered_wait
FROM timing GROUP BY channel;

CREATE TEMP TABLE volume AS
SELECT channel,
       count(*) AS contacts,
       count(*) FILTER (WHERE handled) AS handled,
       sum(handle) FILTER (WHERE handled) AS handle_seconds,
       count(*) FILTER (WHERE handled AND transferred) AS transferred
FROM (SELECT *, NOT abandoned AND answered IS NOT NULL AND channel <> 'self_service' AS handled FROM c)
GROUP BY channel;

CREATE TEMP TABLE s AS
SELECT coalesce(channel, '') AS channel,
       responded_at IS NOT NULL AS responded,
       CASE WHEN responded_at IS NOT NULL AND csat BETWEEN 1 AND 5 THEN csat END AS csat,
       CASE WHEN responded_at IS NOT NULL AND nps BETWEEN 0 AND 10 THEN nps END AS nps
FROM read_csv('{surveys}', header = true, timestampformat = '{fmt}', all_varchar = false,
     types = {'channel': 'VARCHAR', 'invited_at': 'TIMESTAMP', 'responded_at': 'TIMESTAMP',
              'csat': 'BIGINT', 'nps': 'BIGINT'})
WHERE CAST(invited_at AS DATE) BETWEEN DATE '{start}' AND DATE '{end}';

CREATE TEMP TABLE survey AS
SELECT channel,
       count(*) AS invitations,
       count(*) FILTER (WHERE responded) AS responses,
       count(csat) AS csat_n,
       count(*) FILTER (WHERE csat >= 4) AS top2,
       count(nps) AS nps_n,
       count(*) FILTER (WHERE nps >= 9) AS promoters,
       count(*) FILTER (WHERE nps <= 6) AS detractors
FROM s GROUP BY channel;

-- One row per channel: the ten KPIs (NULL where cxaudit has no data).
SELECT g.channel AS "group",
       sv.answered_within / nullif(sv.offered - sv.short_abandoned, 0) AS service_level,
       sv.answered_wait / nullif(sv.answered, 0) AS asa_seconds,
       sv.abandoned / nullif(sv.offered, 0) AS abandon_rate,
       v.handle_seconds / nullif(v.handled, 0) AS aht_seconds,
       v.transferred / nullif(v.handled, 0) AS transfer_rate,
       1 - f.repeats / nullif(f.eligible, 0) AS fcr_rate,
       v.contacts::DOUBLE AS contacts,
       su.top2 / nullif(su.csat_n, 0) AS csat_top2,
       100.0 * (su.promoters - su.detractors) / nullif(su.nps_n, 0) AS nps,
       su.responses / nullif(su.invitations, 0) AS survey_response_rate
FROM (SELECT channel FROM volume UNION SELECT channel FROM survey) g
LEFT JOIN volume v USING (channel)
LEFT JOIN service sv USING (channel)
LEFT JOIN fcr f USING (channel)
LEFT JOIN survey su USING (channel)
ORDER BY g.channel;
