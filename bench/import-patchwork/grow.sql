-- Grow a restored copy of ../shared/patchwork-db (a Patchwork 644cef7c database) by
-- copying its mail FACTOR times with new ids and Message-IDs: covers, series (with
-- their references and dependencies), patches, comments, tags, checks and events.
-- Users, projects, people, states and bundles stay as they are.
--   psql -v factor=65 -f grow.sql postgresql://.../copy   (1,529 x 66 = 100,914 patches)
\set ON_ERROR_STOP 1
BEGIN;
CREATE TEMP TABLE base AS SELECT
    (SELECT max(id) FROM patchwork_patch) AS patch,
    (SELECT max(id) FROM patchwork_cover) AS cover,
    (SELECT max(id) FROM patchwork_series) AS series,
    (SELECT max(id) FROM patchwork_seriesreference) AS ref,
    (SELECT max(id) FROM patchwork_patchcomment) AS pcomment,
    (SELECT max(id) FROM patchwork_covercomment) AS ccomment,
    (SELECT max(id) FROM patchwork_patchtag) AS ptag,
    (SELECT max(id) FROM patchwork_check) AS "check",
    (SELECT max(id) FROM patchwork_event) AS event,
    (SELECT coalesce(max(id), 0) FROM patchwork_series_dependencies) AS dep;
CREATE TEMP TABLE copies AS SELECT generate_series(1, :factor) AS k;

INSERT INTO patchwork_cover (id, msgid, date, headers, content, name, project_id, submitter_id)
SELECT c.id + k * b.cover, '<g' || k || '.' || substr(c.msgid, 2), c.date, c.headers,
       c.content, c.name, c.project_id, c.submitter_id
FROM patchwork_cover c, copies, base b WHERE c.id <= b.cover;

INSERT INTO patchwork_series (id, name, date, version, total, project_id, submitter_id,
                              cover_letter_id)
SELECT s.id + k * b.series, s.name, s.date, s.version, s.total, s.project_id, s.submitter_id,
       s.cover_letter_id + k * b.cover
FROM patchwork_series s, copies, base b WHERE s.id <= b.series;

INSERT INTO patchwork_series_dependencies (id, from_series_id, to_series_id)
SELECT d.id + k * b.dep, d.from_series_id + k * b.series, d.to_series_id + k * b.series
FROM patchwork_series_dependencies d, copies, base b WHERE d.id <= b.dep;

INSERT INTO patchwork_seriesreference (id, msgid, project_id, series_id)
SELECT r.id + k * b.ref, '<g' || k || '.' || substr(r.msgid, 2), r.project_id,
       r.series_id + k * b.series
FROM patchwork_seriesreference r, copies, base b WHERE r.id <= b.ref;

INSERT INTO patchwork_patch (id, msgid, date, headers, content, name, project_id,
    submitter_id, archived, commit_ref, delegate_id, diff, hash, number, pull_url,
    related_id, series_id, state_id)
SELECT p.id + k * b.patch, '<g' || k || '.' || substr(p.msgid, 2), p.date, p.headers,
       p.content, p.name, p.project_id, p.submitter_id, p.archived, p.commit_ref,
       p.delegate_id, p.diff, p.hash, p.number, p.pull_url, NULL,
       p.series_id + k * b.series, p.state_id
FROM patchwork_patch p, copies, base b WHERE p.id <= b.patch;

INSERT INTO patchwork_patchcomment (id, msgid, date, headers, content, patch_id,
                                    submitter_id, addressed)
SELECT c.id + k * b.pcomment, '<g' || k || '.' || substr(c.msgid, 2), c.date, c.headers,
       c.content, c.patch_id + k * b.patch, c.submitter_id, c.addressed
FROM patchwork_patchcomment c, copies, base b WHERE c.id <= b.pcomment;

INSERT INTO patchwork_covercomment (id, msgid, date, headers, content, cover_id,
                                    submitter_id, addressed)
SELECT c.id + k * b.ccomment, '<g' || k || '.' || substr(c.msgid, 2), c.date, c.headers,
       c.content, c.cover_id + k * b.cover, c.submitter_id, c.addressed
FROM patchwork_covercomment c, copies, base b WHERE c.id <= b.ccomment;

INSERT INTO patchwork_patchtag (id, count, tag_id, patch_id)
SELECT t.id + k * b.ptag, t.count, t.tag_id, t.patch_id + k * b.patch
FROM patchwork_patchtag t, copies, base b WHERE t.id <= b.ptag;

INSERT INTO patchwork_check (id, date, state, target_url, description, context, user_id,
                             patch_id)
SELECT c.id + k * b."check", c.date, c.state, c.target_url, c.description, c.context,
       c.user_id, c.patch_id + k * b.patch
FROM patchwork_check c, copies, base b WHERE c.id <= b."check";

INSERT INTO patchwork_event (id, category, date, actor_id, created_check_id,
    current_delegate_id, current_relation_id, current_state_id, previous_delegate_id,
    previous_relation_id, previous_state_id, project_id, series_id, cover_id, patch_id,
    cover_comment_id, patch_comment_id)
SELECT e.id + k * b.event, e.category, e.date, e.actor_id, e.created_check_id + k * b."check",
       e.current_delegate_id, NULL, e.current_state_id, e.previous_delegate_id, NULL,
       e.previous_state_id, e.project_id, e.series_id + k * b.series,
       e.cover_id + k * b.cover, e.patch_id + k * b.patch,
       e.cover_comment_id + k * b.ccomment, e.patch_comment_id + k * b.pcomment
FROM patchwork_event e, copies, base b WHERE e.id <= b.event;
COMMIT;
ANALYZE;
