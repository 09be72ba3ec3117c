-- Application drafts: what a person typed and uploaded on an application form, kept between
-- the form, the "check your answers" page and the filing (post/redirect/get), so a refused
-- upload or a reload never loses the files already uploaded. Deleted when the case is filed;
-- old ones are swept when a new one is saved.
CREATE TABLE application_drafts (
    id         TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    payload    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX application_drafts_created ON application_drafts (created_at);
