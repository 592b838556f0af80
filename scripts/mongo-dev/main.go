// Command mongo-dev runs a MongoDB-wire server for local runs and tests.
//
// There is no mongod on our machines, so we embed FerretDB v1 with its SQLite
// handler: one folder of SQLite files, one TCP port. Users with a real MongoDB
// set MONGODB_URL and never start this program. With -postgresql-url it runs
// FerretDB's PostgreSQL handler on that database instead (npm run bench:load
// compares the two); the data folder then holds nothing but the log.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", ".data/ferretdb", "folder holding the SQLite databases")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL (postgres://host:5432/db): use FerretDB's PostgreSQL handler instead of SQLite")
	flag.Parse()

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatalf("mongo-dev: data folder: %v", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatalf("mongo-dev: data folder: %v", err)
	}

	conf := &ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		// WAL with synchronous=NORMAL, SQLite's advice for WAL: never corrupt, and a commit no
		// longer waits for the disk (a power cut may lose the last ones). A 32 MB page cache per
		// connection instead of 2 MB, so that lookups by _id in a store of a million mentions
		// stay in memory.
		SQLiteURL: "file:" + abs + "/?_pragma=synchronous(normal)&_pragma=cache_size(-32000)",
	}
	if *pgURL != "" {
		conf.Handler = "postgresql"
		conf.SQLiteURL = ""
		conf.PostgreSQLURL = *pgURL
	}
	f, err := ferretdb.New(conf)
	if err != nil {
		log.Fatalf("mongo-dev: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// The keeper's indexes are SQLite's (see idindex.go); PostgreSQL plans its own way.
	if *pgURL == "" {
		go keepIDIndexes(ctx, abs, 200*time.Millisecond)
	}

	// The launcher waits for the port to accept connections, not for this line.
	fmt.Printf("mongo-dev ready %s\n", f.MongoDBURI())
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("mongo-dev: %v", err)
	}
}
