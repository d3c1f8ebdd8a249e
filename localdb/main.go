// Command localdb runs FerretDB v1 (MongoDB wire protocol over SQLite) for local
// development and tests. It embeds github.com/FerretDB/FerretDB/ferretdb instead of
// building FerretDB's own command, whose version check panics outside a FerretDB
// checkout (FerretDB issue #2982).
//
// Clients reach FerretDB through a gate of ours (gate.go) that bounds the commands running at
// once and queues writes, so that a burst of them cannot wedge FerretDB's SQLite backend.
//
// It prints one JSON line {"uri": "mongodb://..."} once it listens, then serves until
// SIGINT/SIGTERM or until its standard input closes, so it never outlives the parent
// that started it with a pipe on stdin.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	// The SQLite files and their WAL hold every user's email address: owner-only (0600 files,
	// 0700 folders), whoever starts the launcher and whatever their umask.
	syscall.Umask(0o077)

	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free one)")
	dataDir := flag.String("data-dir", "", "directory for the SQLite files (created if missing)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	watchStdin := flag.Bool("watch-stdin", true, "exit when standard input closes")
	commands := flag.Int("commands", 16, "commands let through to FerretDB at a time (1-49)")
	flag.Parse()

	if err := run(*listen, *dataDir, *logLevel, *watchStdin, *commands); err != nil {
		fmt.Fprintln(os.Stderr, "localdb:", err)
		os.Exit(1)
	}
}

func run(listen, dataDir, logLevel string, watchStdin bool, commands int) error {
	if dataDir == "" {
		return fmt.Errorf("-data-dir is required")
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return err
	}
	if err = os.MkdirAll(abs, 0o700); err != nil {
		return err
	}

	var level slog.Level
	if err = level.UnmarshalText([]byte(logLevel)); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	// Clients reach FerretDB only through the gate: FerretDB listens on a loopback port of its own.
	public, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	defer public.Close()

	db, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + abs + "/",
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if watchStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	upstream, err := url.Parse(db.MongoDBURI())
	if err != nil {
		return err
	}
	indexer := newIDIndexer(abs, logger)
	if err = indexer.sweep(); err != nil {
		return err
	}
	gate, err := newGate(upstream.Host, commands, indexer)
	if err != nil {
		return err
	}
	go func() {
		if err := gate.serve(public); err != nil {
			logger.Error("localdb: the gate stopped accepting", slog.String("error", err.Error()))
			stop()
		}
	}()

	uri := url.URL{Scheme: "mongodb", Host: public.Addr().String(), Path: "/"}
	line, err := json.Marshal(map[string]string{"uri": uri.String()})
	if err != nil {
		return err
	}
	fmt.Println(string(line))

	return db.Run(ctx)
}
