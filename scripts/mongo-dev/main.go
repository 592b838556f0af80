// Command mongo-dev runs a MongoDB-wire server for local runs and tests.
//
// There is no mongod on our machines, so we embed FerretDB v1 with its SQLite
// handler: one folder of SQLite files, one TCP port. Users with a real MongoDB
// set MONGODB_URL and never start this program.
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
	flag.Parse()

	abs, err := filepath.Abs(*dataDir)
	if err != nil {
		log.Fatalf("mongo-dev: data folder: %v", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatalf("mongo-dev: data folder: %v", err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		log.Fatalf("mongo-dev: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	go keepIDIndexes(ctx, abs, 200*time.Millisecond)

	// The launcher waits for the port to accept connections, not for this line.
	fmt.Printf("mongo-dev ready %s\n", f.MongoDBURI())
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("mongo-dev: %v", err)
	}
}
