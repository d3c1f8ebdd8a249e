package main

// FerretDB v1's SQLite backend looks a document up by `_id` with the expression
// `_ferretdb_sjson->'$._id'` (metadata.IDColumn), but creates the unique `_id` index of each
// collection's table on `_ferretdb_sjson->"_id"` (registry.go, indexesCreate). SQLite matches an
// expression index only to the very same expression, so no lookup by `_id` ever uses that index:
// each one scans and parses the whole table (114 ms at 10,000 webhook events, and growing).
//
// So the launcher adds to every collection's table an index on exactly the lookup's expression.
// FerretDB keeps its own list of indexes in its metadata table and never reads SQLite's schema,
// so it neither lists nor minds an index it did not create; dropping the collection drops the
// table and its indexes with it. The index is created with the launcher's own connection, while
// the gate holds the writer's turn (see gate.go), so it never contends with one of FerretDB's
// writes, once per collection per run (and for every table already there at start).

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the driver FerretDB's SQLite backend uses too
)

const (
	// FerretDB's metadata table in each database's file: collection name -> table name.
	collectionsTable = "_ferretdb_collections"
	idIndexSuffix    = "_localdb_id_lookup"
)

// FerretDB's own rule for database names (backends/validation.go): nothing else has a file.
var databaseName = regexp.MustCompile("^[a-zA-Z0-9_-]{1,63}$")

type idIndexer struct {
	dir    string
	logger *slog.Logger
	mu     sync.Mutex
	done   map[string]bool // "<database>\x00<collection>" indexed in this run
}

func newIDIndexer(dir string, logger *slog.Logger) *idIndexer {
	return &idIndexer{dir: dir, logger: logger, done: map[string]bool{}}
}

// ensure indexes the table of collection coll of database db, unless done in this run already.
func (ix *idIndexer) ensure(db, coll string) {
	key := db + "\x00" + coll
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.done[key] || !databaseName.MatchString(db) || coll == "" {
		return
	}
	indexed, err := ix.index(db, "name = ?", coll)
	if err != nil {
		ix.logger.Warn("localdb: no _id lookup index", slog.String("db", db),
			slog.String("collection", coll), slog.String("error", err.Error()))
		return
	}
	ix.done[key] = indexed > 0
}

// forget makes the next write to any collection check its index again (after a drop, a rename).
func (ix *idIndexer) forget() {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	clear(ix.done)
}

// sweep indexes every table of every database already in the directory.
func (ix *idIndexer) sweep() error {
	files, err := filepath.Glob(filepath.Join(ix.dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, file := range files {
		db := strings.TrimSuffix(filepath.Base(file), ".sqlite")
		if !databaseName.MatchString(db) {
			continue
		}
		if _, err := ix.index(db, "1 = 1"); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	return nil
}

// index creates the lookup index on the tables of db's collections that match where; it
// returns how many tables it found.
func (ix *idIndexer) index(db, where string, args ...any) (int, error) {
	file := filepath.Join(ix.dir, db+".sqlite")
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		return 0, nil // a command that failed before FerretDB created the database
	}
	conn, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	tables, err := tableNames(conn, where, args...)
	if err != nil {
		return 0, err
	}
	for _, table := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`,
			table+idIndexSuffix, table)
		if _, err := conn.Exec(q); err != nil {
			return 0, err
		}
	}
	return len(tables), nil
}

func tableNames(conn *sql.DB, where string, args ...any) ([]string, error) {
	rows, err := conn.Query(
		fmt.Sprintf(`SELECT table_name FROM %q WHERE %s`, collectionsTable, where), args...)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil // a database file FerretDB has not set up yet
		}
		return nil, err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var table string
		if err := rows.Scan(&table); err != nil {
			return nil, err
		}
		tables = append(tables, table)
	}
	return tables, rows.Err()
}
