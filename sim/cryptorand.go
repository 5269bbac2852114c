package sim

import (
	"crypto/rand"
	"encoding/binary"
	"io"
	"log/slog"
	"strconv"

	"github.com/orrerysim/orrery/trace"
)

// Code the simulation does not own draws randomness from crypto/rand:
// etcd raft its election timeouts, UUID and nonce generators their values.
// To make those draws replay with the seed, package sim replaces
// crypto/rand.Reader once, when it initializes (before any goroutine of the
// program can read the variable, so the replacement races with nothing),
// by a reader that routes every call by the goroutine that makes it:
//
//   - a simulated task's goroutine (one of the coroutines; see caller)
//     reads its World's crypto stream, derived from the seed;
//   - any other goroutine (code outside any run, a goroutine started with
//     a go statement, a task the watchdog gave up on) reads the operating
//     system's randomness through the reader crypto/rand had, as before.
//
// Parallel seeds in one process have their own Worlds, hence their own
// streams: nothing global changes when a run starts or ends.
//
// The draws come from a derived stream, not the main one: a library that
// draws a few more bytes after an upgrade must not shift every later
// scheduling and fault decision of the seed. They are still counted and
// traced: every read writes a debug record of the reading task,
//
//	DEBUG [node-1/main#4] crypto/rand read bytes=8 draw=3 from=seed sum=5f1e0c2a
//
// whose sum (a hash of the bytes served) is part of the trace hash, so that
// with the capture off (SetCryptoRandCapture) the determinism check parts
// the two runs at the first draw and names the task that made it.
//
// crypto/rand.Read, Int and Text, and every library that reads
// crypto/rand.Reader when it draws, are captured. What reads the
// operating system's generator directly is not: since Go 1.26, Prime and
// the key generation of crypto/ecdsa, crypto/rsa, crypto/ecdh and
// crypto/ed25519 ignore the reader they are given, and a library that
// copies crypto/rand.Reader into a variable of its own when it initializes
// keeps the reader it copied if it initializes before package sim.

// osReader is the reader crypto/rand had before package sim replaced it.
var osReader io.Reader

func init() {
	osReader = rand.Reader
	rand.Reader = taskReader{}
}

// saltCrypto seeds the stream that serves crypto/rand.Reader to tasks.
const saltCrypto = 0x43525950544f5241 // "CRYPTORA"

// taskReader is crypto/rand.Reader while package sim is linked in.
type taskReader struct{}

// Read fills p from the calling task's World, or from the operating
// system when the caller is not a task of a running World.
func (taskReader) Read(p []byte) (int, error) {
	if w := taskWorld(); w != nil {
		return w.cryptoStream().read(w, p)
	}
	return osReader.Read(p)
}

// taskWorld returns the World whose task's goroutine calls it, or nil for
// any other goroutine. A coroutine's goroutine runs only while its World
// hands it control, so reading the World from it races with nothing.
func taskWorld() *World {
	c, ok := coroutines.Load(getg())
	if !ok {
		return nil
	}
	w := c.(*coro).w
	if w.abandoned.Load() || w.finished {
		return nil
	}
	return w
}

// cryptoKey is the World value that holds its crypto stream.
type cryptoKey struct{}

// cryptoStream is what a World serves crypto/rand.Reader from.
type cryptoStream struct {
	rng    *Rand
	fromOS bool   // the capture is off: serve the operating system's bytes
	reads  uint64 // Read calls served
	bytes  uint64 // bytes served
}

func (w *World) cryptoStream() *cryptoStream {
	if s, ok := w.Value(cryptoKey{}).(*cryptoStream); ok {
		return s
	}
	s := &cryptoStream{rng: newRand(w.seed, saltCrypto)}
	w.SetValue(cryptoKey{}, s)
	return s
}

// read fills p, counts the read and traces it.
func (s *cryptoStream) read(w *World, p []byte) (int, error) {
	from := "seed"
	if s.fromOS {
		from = "os"
		if _, err := io.ReadFull(osReader, p); err != nil {
			return 0, err
		}
	} else {
		s.fill(p)
	}
	s.reads++
	s.bytes += uint64(len(p))
	w.Record("sim", trace.Record{Level: slog.LevelDebug, Kind: trace.KindLog, Msg: CryptoRandMsg,
		Attrs: []trace.Attr{
			{Key: "bytes", Value: strconv.Itoa(len(p))},
			{Key: "draw", Value: strconv.FormatUint(s.reads, 10)},
			{Key: "from", Value: from},
			{Key: "sum", Value: strconv.FormatUint(uint64(sum32(p)), 16)},
		}})
	return len(p), nil
}

// fill draws p from the stream, eight bytes per call: a read of n bytes
// takes ceil(n/8) calls, whatever it reads next.
func (s *cryptoStream) fill(p []byte) {
	var buf [8]byte
	for len(p) > 0 {
		binary.LittleEndian.PutUint64(buf[:], s.rng.Uint64())
		p = p[copy(p, buf[:]):]
	}
}

// sum32 is FNV-1a over b: the trace shows what a read served without
// printing it.
func sum32(b []byte) uint32 {
	h := uint32(2166136261)
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	return h
}

// CryptoRandMsg is the message of the debug record that every read of
// crypto/rand.Reader by a task writes into the trace.
const CryptoRandMsg = "crypto/rand read"

// SetCryptoRandCapture switches the capture of crypto/rand.Reader for this
// World's tasks on (the default) or off. Off, its tasks read the operating
// system's randomness as code outside a run does, and their reads are
// still traced (from=os): a seed that draws from crypto/rand no longer
// replays, and the determinism check names the task of the first read.
// It is for finding out what a simulation draws; call it before Run.
func (w *World) SetCryptoRandCapture(on bool) { w.cryptoStream().fromOS = !on }

// CryptoRandReads returns how many reads of crypto/rand.Reader the World's
// tasks have made and how many bytes those reads served.
func (w *World) CryptoRandReads() (reads, bytes uint64) {
	s, ok := w.Value(cryptoKey{}).(*cryptoStream)
	if !ok {
		return 0, 0
	}
	return s.reads, s.bytes
}
