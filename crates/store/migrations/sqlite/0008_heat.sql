-- 热点 read from an index instead of computed over every recent story at each request.
--
-- A story's heat at time T is the sum, over its sources, of 2^-((T - t_i) / half-life), t_i
-- being when that source first published it. That is 2^(-T / half-life) times a sum that does
-- not depend on T, so the order of stories by heat never changes as time passes: the store
-- keeps log2 of that sum (in half-lives since the epoch) and reads stories in its order.
-- NULL until computed; stories written before this column are filled in at open.
ALTER TABLE stories ADD COLUMN heat REAL;

-- Only stories that can be on the list: told by two sources or more, with a live lead.
CREATE INDEX stories_by_heat ON stories (heat DESC)
    WHERE source_count >= 2 AND lead_article_id IS NOT NULL;
CREATE INDEX stories_without_heat ON stories (id) WHERE heat IS NULL;
