"""Keep geodata_sitecluster and the sites tile version in step with sites_minesite, whoever writes it.

Statement-level triggers with transition tables apply each statement's changes as +1/-1 deltas to
the cluster cells of zooms 0-14 (16 x 16 cells per tile; the z14 grid has 2^18 cells a side and
every lower grid nests in it, so a site's cell at zoom z is its z14 cell shifted right by 14 - z).
The ORM, the admin, COPY and raw SQL are all covered; a bulk insert of 1M rows is one statement.
"""

from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION geodata_site_delta_sql(changes text) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
WITH changes AS (%s),
cells AS (
    SELECT sign, id, country, status, is_published, commodities, ST_X(p) AS x, ST_Y(p) AS y,
           least(greatest(floor((ST_X(p) + 20037508.342789244) / 152.8740565703525)::int, 0), 262143) AS cx,
           least(greatest(floor((20037508.342789244 - ST_Y(p)) / 152.8740565703525)::int, 0), 262143) AS cy
    FROM (SELECT sign, id, country, status, is_published, commodities, ST_Transform(location, 3857) AS p
          FROM changes) AS projected
),
keyed AS (
    SELECT sign, id, country, status, is_published, cx, cy, x, y, ''::varchar AS commodity FROM cells
    UNION ALL
    SELECT sign, id, country, status, is_published, cx, cy, x, y, unnest(commodities) FROM cells
),
finest AS (
    SELECT cx, cy, commodity, country, status, is_published,
           sum(sign) AS n, sum(sign * x) AS sx, sum(sign * y) AS sy, sum(sign * id) AS sid
    FROM keyed GROUP BY cx, cy, commodity, country, status, is_published
),
deltas AS (
    SELECT z.zoom, cx >> (14 - z.zoom) AS cx, cy >> (14 - z.zoom) AS cy, commodity, country, status, is_published,
           sum(n) AS n, sum(sx) AS sx, sum(sy) AS sy, sum(sid) AS sid
    FROM finest, generate_series(0, 14) AS z(zoom)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
)
INSERT INTO geodata_sitecluster AS c (zoom, cx, cy, commodity, country, status, is_published, n, sum_x, sum_y, sum_id)
SELECT * FROM deltas WHERE n <> 0 OR sx <> 0 OR sy <> 0 OR sid <> 0
ON CONFLICT (zoom, commodity, cx, cy, country, status, is_published) DO UPDATE
SET n = c.n + EXCLUDED.n, sum_x = c.sum_x + EXCLUDED.sum_x, sum_y = c.sum_y + EXCLUDED.sum_y,
    sum_id = c.sum_id + EXCLUDED.sum_id
$q$, changes)
$fn$;

CREATE OR REPLACE FUNCTION geodata_bump_tile_version(source_name text) RETURNS void LANGUAGE sql AS $fn$
INSERT INTO geodata_tileversion (source, token) VALUES (source_name, md5(random()::text || clock_timestamp()::text))
ON CONFLICT (source) DO UPDATE SET token = EXCLUDED.token
$fn$;

-- For any other tile source: a statement trigger passing the source's name, e.g.
-- CREATE TRIGGER ... AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON remediation_area
--     FOR EACH STATEMENT EXECUTE FUNCTION geodata_tile_source_changed('remediation-areas');
CREATE OR REPLACE FUNCTION geodata_tile_source_changed() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    PERFORM geodata_bump_tile_version(TG_ARGV[0]);
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION geodata_rebuild_site_clusters() RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    TRUNCATE geodata_sitecluster;
    EXECUTE geodata_site_delta_sql('SELECT 1 AS sign, * FROM sites_minesite');
    PERFORM geodata_bump_tile_version('sites');
END
$fn$;

CREATE OR REPLACE FUNCTION geodata_site_clusters_follow() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
    changes text;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM geodata_sitecluster;  -- not TRUNCATE: a flush may be truncating it in this very statement
    ELSE
        IF TG_OP = 'INSERT' THEN
            changes := 'SELECT 1 AS sign, * FROM new_rows';
        ELSIF TG_OP = 'DELETE' THEN
            changes := 'SELECT -1 AS sign, * FROM old_rows';
        ELSE  -- only rows whose clustering keys changed
            changes := 'SELECT -1 AS sign, o.* FROM old_rows o JOIN new_rows n USING (id)
                          WHERE (o.location, o.country, o.status, o.is_published, o.commodities)
                                IS DISTINCT FROM (n.location, n.country, n.status, n.is_published, n.commodities)
                        UNION ALL
                        SELECT 1 AS sign, n.* FROM old_rows o JOIN new_rows n USING (id)
                          WHERE (o.location, o.country, o.status, o.is_published, o.commodities)
                                IS DISTINCT FROM (n.location, n.country, n.status, n.is_published, n.commodities)';
        END IF;
        EXECUTE geodata_site_delta_sql(changes);
        DELETE FROM geodata_sitecluster WHERE n = 0;
    END IF;
    PERFORM geodata_bump_tile_version('sites');
    RETURN NULL;
END
$fn$;

CREATE TRIGGER geodata_site_clusters_insert AFTER INSERT ON sites_minesite
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION geodata_site_clusters_follow();
CREATE TRIGGER geodata_site_clusters_update AFTER UPDATE ON sites_minesite
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION geodata_site_clusters_follow();
CREATE TRIGGER geodata_site_clusters_delete AFTER DELETE ON sites_minesite
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION geodata_site_clusters_follow();
CREATE TRIGGER geodata_site_clusters_truncate AFTER TRUNCATE ON sites_minesite
    FOR EACH STATEMENT EXECUTE FUNCTION geodata_site_clusters_follow();

SELECT geodata_rebuild_site_clusters();
"""

REVERSE = """
DROP TRIGGER IF EXISTS geodata_site_clusters_insert ON sites_minesite;
DROP TRIGGER IF EXISTS geodata_site_clusters_update ON sites_minesite;
DROP TRIGGER IF EXISTS geodata_site_clusters_delete ON sites_minesite;
DROP TRIGGER IF EXISTS geodata_site_clusters_truncate ON sites_minesite;
DROP FUNCTION IF EXISTS geodata_site_clusters_follow();
DROP FUNCTION IF EXISTS geodata_rebuild_site_clusters();
DROP FUNCTION IF EXISTS geodata_tile_source_changed();
DROP FUNCTION IF EXISTS geodata_bump_tile_version(text);
DROP FUNCTION IF EXISTS geodata_site_delta_sql(text);
"""


class Migration(migrations.Migration):
    dependencies = [("geodata", "0004_tile_sources"), ("sites", "0003_resource_estimates")]

    operations = [migrations.RunSQL(FUNCTIONS, REVERSE)]
