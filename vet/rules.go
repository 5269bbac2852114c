package vet

// rule is what the analyzer says about one function, method or variable of
// another package: why it escapes the simulation and what to use instead.
type rule struct {
	why string // what the call does outside the simulation
	use string // the env equivalent
	fix fixKind
}

// rules maps a package path to its reported objects, by name for
// package-level ones and by "Type.Method" for methods ("Type.Field" for
// struct fields).
var rules = map[string]map[string]rule{
	"time":         timeRules,
	"context":      contextRules,
	"sync":         syncRules,
	"os":           osRules,
	"net":          netRules,
	"net/http":     httpRules,
	"crypto/rand":  nil, // the uncaptured objects: see cryptoRule
	"math/rand":    nil, // every package-level function but randSafe: see randRule
	"math/rand/v2": nil,
}

const (
	wallClock = "reads the wall clock, which the simulation does not control"
	wallWait  = "waits on the wall clock, outside the simulation's scheduler"
)

var timeRules = map[string]rule{
	"Now":       {wallClock, "e.Clock().Now()", fixNow},
	"Since":     {wallClock, "e.Clock().Now().Sub(t)", fixSince},
	"Until":     {wallClock, "t.Sub(e.Clock().Now())", fixUntil},
	"Sleep":     {wallWait, "e.Clock().Sleep(ctx, d)", fixSleep},
	"After":     {wallWait, "e.Clock().After(d)", 0},
	"Tick":      {wallWait, "e.Clock().NewTicker(d)", 0},
	"NewTimer":  {wallWait, "e.Clock().NewTimer(d)", 0},
	"NewTicker": {wallWait, "e.Clock().NewTicker(d)", 0},
	"AfterFunc": {wallWait, "e.Go with e.Clock().Sleep(ctx, d)", 0},
}

var contextRules = map[string]rule{
	"WithTimeout":       {wallWait, "e.Clock().WithTimeout(ctx, d)", 0},
	"WithTimeoutCause":  {wallWait, "e.Clock().WithTimeout(ctx, d)", 0},
	"WithDeadline":      {wallWait, "e.Clock().WithDeadline(ctx, t)", 0},
	"WithDeadlineCause": {wallWait, "e.Clock().WithDeadline(ctx, t)", 0},
}

const (
	lockWhy = "blocks outside the simulation's scheduler (a task that parks " +
		"while holding it stalls every task that locks it)"
	lockUse = "env.NewMutex(e) and Lock(ctx), or //orrery:allow <reason> " +
		"if the critical section never blocks"
	waitWhy = "blocks outside the simulation's scheduler"
)

var syncRules = map[string]rule{
	"Mutex.Lock":     {lockWhy, lockUse, 0},
	"RWMutex.Lock":   {lockWhy, lockUse, 0},
	"RWMutex.RLock":  {lockWhy, lockUse, 0},
	"WaitGroup.Wait": {waitWhy, "env.NewWaitGroup(e) and Wait(ctx)", 0},
	"WaitGroup.Go":   {"starts a goroutine the simulation does not schedule", "e.Go(name, fn) with env.NewWaitGroup(e)", 0},
	"Cond.Wait":      {waitWhy, "env.NewChan and env.Select, or env.NewMutex(e)", 0},
}

const realDisk = "touches the real file system"

var osRules = map[string]rule{
	"Open":       {realDisk, "e.Disk().Open(ctx, name)", 0},
	"OpenFile":   {realDisk, "e.Disk().OpenFile(ctx, name, flag, perm)", 0},
	"Create":     {realDisk, "e.Disk().Create(ctx, name)", 0},
	"ReadFile":   {realDisk, "e.Disk().Open(ctx, name) and ReadAt", 0},
	"WriteFile":  {realDisk, "e.Disk().Create(ctx, name), WriteAt and Sync", 0},
	"ReadDir":    {realDisk, "e.Disk().ReadDir(ctx, name)", 0},
	"Remove":     {realDisk, "e.Disk().Remove(ctx, name)", 0},
	"RemoveAll":  {realDisk, "e.Disk().ReadDir and Remove", 0},
	"Rename":     {realDisk, "e.Disk().Rename(ctx, old, new)", 0},
	"Stat":       {realDisk, "e.Disk().Stat(ctx, name)", 0},
	"Lstat":      {realDisk, "e.Disk().Stat(ctx, name)", 0},
	"Truncate":   {realDisk, "e.Disk() and File.Truncate", 0},
	"Mkdir":      {realDisk, "e.Disk() (directories exist implicitly)", 0},
	"MkdirAll":   {realDisk, "e.Disk() (directories exist implicitly)", 0},
	"MkdirTemp":  {realDisk, "e.Disk()", 0},
	"CreateTemp": {realDisk, "e.Disk().Create(ctx, name)", 0},
	"Chmod":      {realDisk, "e.Disk()", 0},
	"Chtimes":    {realDisk, "e.Disk()", 0},
	"Link":       {realDisk, "e.Disk()", 0},
	"Symlink":    {realDisk, "e.Disk()", 0},
	"Readlink":   {realDisk, "e.Disk()", 0},
	"DirFS":      {realDisk, "e.Disk()", 0},
	"OpenRoot":   {realDisk, "e.Disk()", 0},
	"CopyFS":     {realDisk, "e.Disk()", 0},
}

const realNet = "uses the real network"

var (
	netDial   = rule{realNet, "e.Net().Dial(ctx, address)", 0}
	netListen = rule{realNet, "e.Net().Listen(ctx, address)", 0}
	netPacket = rule{realNet, "e.Net().ListenPacket(ctx, address)", 0}
	netLookup = rule{"asks the real resolver", "e.Net().LookupHost(ctx, host)", 0}
)

var netRules = map[string]rule{
	"Dial": netDial, "DialTimeout": netDial, "DialTCP": netDial, "DialUDP": netDial,
	"DialIP": netDial, "DialUnix": netDial, "Dialer.Dial": netDial, "Dialer.DialContext": netDial,
	"Listen": netListen, "ListenTCP": netListen, "ListenUnix": netListen, "ListenConfig.Listen": netListen,
	"ListenPacket": netPacket, "ListenUDP": netPacket, "ListenIP": netPacket, "ListenUnixgram": netPacket,
	"ListenMulticastUDP": netPacket, "ListenConfig.ListenPacket": netPacket,
	"ResolveTCPAddr": netLookup, "ResolveUDPAddr": netLookup, "ResolveIPAddr": netLookup,
	"LookupHost": netLookup, "LookupIP": netLookup, "LookupAddr": netLookup, "LookupCNAME": netLookup,
	"LookupMX": netLookup, "LookupNS": netLookup, "LookupPort": netLookup, "LookupSRV": netLookup,
	"LookupTXT": netLookup, "Resolver.LookupHost": netLookup, "Resolver.LookupIPAddr": netLookup,
	"Resolver.LookupIP": netLookup, "Resolver.LookupNetIP": netLookup, "Resolver.LookupAddr": netLookup,
	"Resolver.LookupPort": netLookup, "Resolver.LookupSRV": netLookup, "Resolver.LookupTXT": netLookup,
	"Resolver.LookupMX": netLookup, "Resolver.LookupNS": netLookup, "Resolver.LookupCNAME": netLookup,
	"Pipe": {"blocks on Go channels outside the simulation", "a connection from e.Net().Dial", 0},
}

var (
	httpClient = rule{realNet + " and goroutines", "envhttp.Client(e), whose transport dials e.Net()", 0}
	httpServer = rule{"serves each connection on a goroutine the simulation does not schedule",
		"envhttp.Serve(e, l, handler) on a listener of e.Net()", 0}
)

// httpRules flag the package-level client and server of net/http. The
// methods of an *http.Client are not flagged: its transport decides where
// it goes (envhttp.Client's dials e.Net()); its Timeout is, a real timer.
var httpRules = map[string]rule{
	"Get": httpClient, "Head": httpClient, "Post": httpClient, "PostForm": httpClient,
	"DefaultClient": httpClient,
	"Client.Timeout": {"is a real-time timer that the simulation cannot see",
		"a context deadline on the host's clock, e.Clock().WithTimeout(ctx, d)", 0},
	"ListenAndServe": httpServer, "ListenAndServeTLS": httpServer, "Serve": httpServer, "ServeTLS": httpServer,
	"Server.ListenAndServe": httpServer, "Server.ListenAndServeTLS": httpServer,
	"Server.Serve": httpServer, "Server.ServeTLS": httpServer,
}

// cryptoRule applies to the objects of crypto/rand that the simulation
// does not capture, outside _test.go files. The others (Read, Int, Text,
// Reader) read crypto/rand.Reader, which serves each simulated task from
// the seed, and stay secure in production: they are not reported.
var cryptoRule = rule{"reads the operating system's entropy, which no seed replays " +
	"(since Go 1.26 it ignores the reader it is given, which the simulation captures)",
	"a value fixed in the simulation, or one derived from crypto/rand.Read", 0}

// cryptoUncaptured lists the objects of crypto/rand that draw from the
// operating system whatever crypto/rand.Reader is.
var cryptoUncaptured = map[string]bool{"Prime": true}

// randSafe lists the math/rand functions that make a seeded source rather
// than draw from the global one.
var randSafe = map[string]bool{
	"New": true, "NewSource": true, "NewZipf": true, "NewPCG": true, "NewChaCha8": true,
}

// randUse names e.Rand's equivalent of a global math/rand function.
var randUse = map[string]string{
	"Intn": "IntN(n)", "IntN": "IntN(n)", "Int63n": "Int64N(n)", "Int64N": "Int64N(n)",
	"Float64": "Float64()", "Uint64": "Uint64()", "Shuffle": "Shuffle(n, swap)",
}

func randRule(name string) rule {
	use, ok := randUse[name]
	if !ok {
		return rule{"draws from the global source, which no seed replays", "e.Rand()", 0}
	}
	return rule{"draws from the global source, which no seed replays", "e.Rand()." + use, fixRand}
}
