-- Articles deleted outright (a source removed with its articles), each with a change number
-- from the same sequence as articles.change_seq: a derived index catches up on a deletion like
-- on any other change, whichever process made it. Change numbers are taken as one more than
-- the largest in either table, so deleting the newest articles never hands out a number twice.
CREATE TABLE article_deletions (
    article_id INTEGER NOT NULL,
    change_seq INTEGER NOT NULL
);

CREATE INDEX article_deletions_by_change ON article_deletions (change_seq);
