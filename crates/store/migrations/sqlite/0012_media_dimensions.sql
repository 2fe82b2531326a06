-- An image's size in pixels, read when it is fetched: article pages give their images width
-- and height, so that the text does not jump as pictures arrive.
ALTER TABLE media ADD COLUMN width INTEGER;
ALTER TABLE media ADD COLUMN height INTEGER;
