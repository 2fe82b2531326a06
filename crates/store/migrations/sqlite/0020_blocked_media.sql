-- When an image was blocked by a takedown (Unix milliseconds): every web node keeps its own
-- copy of the media cache on its own disk, and deletes the blocked files it holds by reading
-- the blocks made since it last looked, in this order.
ALTER TABLE media ADD COLUMN blocked_at INTEGER;
-- Blocks made before this column: found by the first look of every node.
UPDATE media SET blocked_at = 0 WHERE blocked <> 0;
CREATE INDEX media_blocked_at ON media (blocked_at) WHERE blocked_at IS NOT NULL;

-- Whether a blocked image's bytes are still served under another URL is asked of its content
-- hash, once for every blocked image: without an index, a scan of the whole cache.
CREATE INDEX media_content_hash ON media (content_hash) WHERE content_hash IS NOT NULL;
