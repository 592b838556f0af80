package main

// FerretDB v1.24's SQLite handler looks documents up by `_id` with the expression
// `_ferretdb_sjson->'$._id' = ?` (finds, updates and deletes whose filter is only an `_id`), but
// the unique index it builds for `_id` is on `_ferretdb_sjson->"_id"`. SQLite uses an expression
// index only when the expressions match as written, so every lookup by `_id` scanned the whole
// table: an update by `_id` cost about a second at 20,000 mentions.
//
// This keeper adds, beside FerretDB's own, a plain index on the exact expression FerretDB
// queries with, to every collection table of every database in the data folder. It changes no
// result (the index is not unique and invisible to clients: FerretDB lists indexes from its own
// metadata, and dropping a collection drops the table with its indexes); it only turns those
// scans into index lookups. New collections are picked up within one tick.

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// idPathIndexSuffix names our index: FerretDB names its own `<table>_<index name>`, and index
// names cannot contain '.', so a client's index never collides with it.
const idPathIndexSuffix = ".maillon_id_path"

type idIndexKeeper struct {
	dir string
	// One connection per database file, reopened when the file is replaced (a dropped and
	// re-created database is a new file under the same name).
	dbs map[string]*keptDB
}

type keptDB struct {
	db    *sql.DB
	inode uint64
}

func keepIDIndexes(ctx context.Context, dir string, every time.Duration) {
	k := &idIndexKeeper{dir: dir, dbs: map[string]*keptDB{}}
	t := time.NewTicker(every)
	defer t.Stop()
	defer k.closeAll()
	for {
		k.sweep(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (k *idIndexKeeper) sweep(ctx context.Context) {
	files, _ := filepath.Glob(filepath.Join(k.dir, "*.sqlite"))
	seen := map[string]bool{}
	for _, f := range files {
		seen[f] = true
		if err := k.sweepFile(ctx, f); err != nil && ctx.Err() == nil {
			log.Printf("mongo-dev: _id index on %s: %v", filepath.Base(f), err)
		}
	}
	for f, kd := range k.dbs {
		if !seen[f] {
			_ = kd.db.Close()
			delete(k.dbs, f)
		}
	}
}

func (k *idIndexKeeper) sweepFile(ctx context.Context, file string) error {
	st, err := os.Stat(file)
	if err != nil {
		return nil // dropped meanwhile
	}
	inode := st.Sys().(*syscall.Stat_t).Ino
	kd := k.dbs[file]
	if kd != nil && kd.inode != inode {
		_ = kd.db.Close()
		kd = nil
	}
	if kd == nil {
		// busy_timeout as FerretDB's own connections: wait for a writer rather than fail.
		db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)")
		if err != nil {
			return err
		}
		db.SetMaxOpenConns(1)
		kd = &keptDB{db: db, inode: inode}
		k.dbs[file] = kd
	}

	// Asked afresh each time: a dropped and re-created collection may reuse its table's name.
	rows, err := kd.db.QueryContext(ctx, `SELECT c.table_name FROM _ferretdb_collections c
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master m WHERE m.type = 'index' AND m.name = c.table_name || ?)`,
		idPathIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // a database FerretDB is still creating
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+idPathIndexSuffix, t)
		if _, err := kd.db.ExecContext(ctx, q); err != nil {
			if strings.Contains(err.Error(), "no such table") {
				continue // dropped meanwhile
			}
			return err
		}
	}
	return nil
}

func (k *idIndexKeeper) closeAll() {
	for _, kd := range k.dbs {
		_ = kd.db.Close()
	}
}
