package main

// The gate stands between the clients and FerretDB: it relays the MongoDB wire protocol message
// by message and lets a bounded number of commands reach FerretDB at a time, writes one by one.
//
// Why a bound: FerretDB v1's SQLite backend gives each database a database/sql pool of 100
// connections (SetMaxOpenConns(100), not configurable), and an update, findAndModify or upsert
// holds one of them (its query's open rows) while it waits for a second one for the write's
// transaction, with no deadline. A hundred such commands at once hold the whole pool and wait for
// each other forever: the database stops answering until FerretDB restarts. A command needs at
// most two connections, so fewer than 50 in flight can never exhaust the pool. (A cursor left
// open between getMores keeps one too; the default of 16 commands leaves 68 for those.)
//
// Why writes one by one: SQLite has a single writer. Writers that contend for it wait in SQLite's
// busy handler, which sleeps and polls with no queue (up to 100 ms between attempts), so under a
// burst some lost every round for FerretDB's whole busy_timeout (10 s) and failed with
// SQLITE_BUSY. Queued here instead, writes go in arrival order, and none of them polls.
//
// FerretDB answers each message on a connection with exactly one reply, in order, and never
// streams (no moreToCome, no exhaust), so one upstream connection per client connection, relayed
// a message at a time, keeps cursors and other per-connection state where they were.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
)

const (
	headerSize = 16
	// MongoDB's maxMessageSizeBytes, which FerretDB also announces.
	maxMessageSize = 48_000_000
	opMsg          = 2013
	// Room for the two SQLite connections each command may hold (see above).
	maxSlots = 49
)

// Commands that write, as the first key of an OP_MSG's body names them.
var writeCommands = map[string]bool{
	"insert": true, "update": true, "delete": true, "findAndModify": true, "findandmodify": true,
	"create": true, "createIndexes": true, "drop": true, "dropDatabase": true,
	"dropIndexes": true, "renameCollection": true, "collMod": true, "compact": true,
}

// Commands that take no SQLite connection need no slot, so that a health check is answered at
// once even while data commands queue.
var freeCommands = map[string]bool{
	"hello": true, "isMaster": true, "ismaster": true, "ping": true, "buildInfo": true,
	"buildinfo": true, "endSessions": true, "whatsmyuri": true, "getParameter": true,
	"connectionStatus": true, "listCommands": true, "getCmdLineOpts": true, "hostInfo": true,
}

// Writes that may create a collection: its table gets the `_id` lookup index (idindex.go).
var creatingCommands = map[string]bool{
	"insert": true, "update": true, "findAndModify": true, "findandmodify": true,
	"create": true, "createIndexes": true,
}

// Writes after which a collection's table may be another one.
var droppingCommands = map[string]bool{"drop": true, "dropDatabase": true, "renameCollection": true}

type gate struct {
	upstream string
	slots    chan struct{} // every command but a free one holds a slot while FerretDB runs it
	writer   sync.Mutex    // a write holds this as well
	indexer  *idIndexer    // nil: no indexes of ours
}

func newGate(upstream string, slots int, indexer *idIndexer) (*gate, error) {
	if slots < 1 || slots > maxSlots {
		return nil, fmt.Errorf("commands at a time must be between 1 and %d, not %d", maxSlots, slots)
	}
	return &gate{upstream: upstream, slots: make(chan struct{}, slots), indexer: indexer}, nil
}

// serve relays every connection accepted on ln until ln is closed.
func (g *gate) serve(ln net.Listener) error {
	for {
		client, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		go g.relay(client)
	}
}

func (g *gate) relay(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", g.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	fromClient, fromServer := bufio.NewReader(client), bufio.NewReader(server)
	for {
		request, err := readMessage(fromClient)
		if err != nil {
			return
		}
		reply, err := g.roundTrip(server, fromServer, request)
		if err != nil {
			return
		}
		// The reply is read whole first: a client slow to take it holds no slot.
		if _, err = client.Write(reply); err != nil {
			return
		}
	}
}

func (g *gate) roundTrip(server net.Conn, fromServer *bufio.Reader, request []byte) ([]byte, error) {
	command := commandName(request)
	if !freeCommands[command] {
		// The writer's turn before a slot: a write waiting for its turn holds no slot a read could use.
		if writeCommands[command] {
			g.writer.Lock()
			defer g.writer.Unlock()
		}
		g.slots <- struct{}{}
		defer func() { <-g.slots }()
	}
	if _, err := server.Write(request); err != nil {
		return nil, err
	}
	reply, err := readMessage(fromServer)
	if err == nil && g.indexer != nil {
		// Still the writer's turn: the index is built with no write of FerretDB's contending.
		if creatingCommands[command] {
			g.indexer.ensure(commandTarget(request))
		} else if droppingCommands[command] {
			g.indexer.forget()
		}
	}
	return reply, err
}

// readMessage reads one whole wire-protocol message: a little-endian int32 length, then the rest.
func readMessage(r *bufio.Reader) ([]byte, error) {
	var length [4]byte
	if _, err := io.ReadFull(r, length[:]); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(length[:])
	if n < headerSize || n > maxMessageSize {
		return nil, fmt.Errorf("message length %d out of range", n)
	}
	message := make([]byte, n)
	copy(message, length[:])
	if _, err := io.ReadFull(r, message[4:]); err != nil {
		return nil, err
	}
	return message, nil
}

// commandName is the first key of an OP_MSG's body document, which names the command; "" for
// anything else (a legacy opcode, a message whose first section is not the body). An unknown
// name costs a slot, never a wedge.
func commandName(message []byte) string {
	// The header, flagBits, the section's kind (0: body), then the BSON document: its int32
	// size, its first element's type byte, and that element's name, NUL-terminated.
	const kindAt = headerSize + 4
	const nameAt = kindAt + 1 + 4 + 1
	if len(message) <= nameAt || binary.LittleEndian.Uint32(message[12:16]) != opMsg {
		return ""
	}
	if message[kindAt] != 0 {
		return ""
	}
	name := message[nameAt:]
	for i, b := range name {
		if b == 0 {
			return string(name[:i])
		}
	}
	return ""
}

// commandTarget is the database ($db) and collection (the command's string value) an OP_MSG's
// body names; "" for what it cannot read.
func commandTarget(message []byte) (db, coll string) {
	const docAt = headerSize + 4 + 1
	if commandName(message) == "" || len(message) < docAt+5 {
		return "", ""
	}
	size := int(binary.LittleEndian.Uint32(message[docAt : docAt+4]))
	if size < 5 || docAt+size > len(message) {
		return "", ""
	}
	doc := message[docAt+4 : docAt+size-1]
	for first := true; len(doc) > 0; first = false {
		kind, name, value, rest, ok := nextElement(doc)
		if !ok {
			return "", ""
		}
		if kind == 0x02 && first {
			coll = bsonString(value)
		} else if kind == 0x02 && name == "$db" {
			db = bsonString(value)
		}
		doc = rest
	}
	return db, coll
}

// nextElement splits one BSON element off doc: its type, name and value bytes.
func nextElement(doc []byte) (kind byte, name string, value, rest []byte, ok bool) {
	kind = doc[0]
	end := 1
	for end < len(doc) && doc[end] != 0 {
		end++
	}
	if end >= len(doc) {
		return 0, "", nil, nil, false
	}
	name, body := string(doc[1:end]), doc[end+1:]
	n := valueSize(kind, body)
	if n < 0 || n > len(body) {
		return 0, "", nil, nil, false
	}
	return kind, name, body[:n], body[n:], true
}

// valueSize is the length of a BSON value of type kind at the start of body; -1 when unknown.
func valueSize(kind byte, body []byte) int {
	fixed := map[byte]int{0x01: 8, 0x07: 12, 0x08: 1, 0x09: 8, 0x0A: 0, 0x10: 4, 0x11: 8,
		0x12: 8, 0x13: 16, 0x06: 0, 0xFF: 0, 0x7F: 0}
	if n, found := fixed[kind]; found {
		return n
	}
	if len(body) < 4 {
		return -1
	}
	n := int(binary.LittleEndian.Uint32(body[:4]))
	switch kind {
	case 0x02, 0x0D, 0x0E: // string, code, symbol: int32 length, then the bytes
		return 4 + n
	case 0x03, 0x04: // document, array: the int32 counts itself
		return n
	case 0x05: // binary: int32 length, subtype, bytes
		return 4 + 1 + n
	}
	return -1
}

func bsonString(value []byte) string {
	if len(value) < 5 {
		return ""
	}
	return string(value[4 : len(value)-1])
}
