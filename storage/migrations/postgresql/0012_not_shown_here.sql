-- PostgreSQL's form of ../0012_not_shown_here.sql: BIGINT for integers (unix times past 2038), DOUBLE PRECISION for REAL;
-- otherwise the same.
-- Reports from elsewhere (another community or a private chat) whose text a community's moderators chose not to
-- show in their community. The report still counts everywhere; its project name is not shown in that community's
-- /status, alert channel or digest. A mark goes with its report (/retract, /forget).
CREATE TABLE not_shown_here (
    community   TEXT    NOT NULL,             -- community key of the moderators who marked it
    report_id   BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    reason      TEXT    NOT NULL,
    at          BIGINT NOT NULL,
    PRIMARY KEY (community, report_id)
);
CREATE INDEX not_shown_here_by_report ON not_shown_here (report_id);
