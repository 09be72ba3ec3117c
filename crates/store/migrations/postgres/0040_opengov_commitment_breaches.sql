-- Open government, third part. What a public commitment (公开承诺) covers: kept by hand
-- ('manual'), the unit's cases ('cases') or its 12345 tickets ('tickets'); and each case or
-- ticket that broke a covering commitment, once, named in the commitment's public log.

ALTER TABLE opengov_commitments ADD COLUMN covers TEXT NOT NULL DEFAULT 'manual';

CREATE TABLE opengov_commitment_breaches (
    commitment_id   BIGINT NOT NULL REFERENCES opengov_commitments(id),
    -- The subject kind ('case', 'ticket') and its number.
    subject_kind    TEXT NOT NULL,
    subject_number  TEXT NOT NULL,
    at              BIGINT NOT NULL,
    PRIMARY KEY (commitment_id, subject_kind, subject_number)
);
