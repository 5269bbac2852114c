package docs_test

import (
	"crypto/rand"
	"math/big"
	"time"

	"github.com/orrerysim/orrery"
	"github.com/orrerysim/orrery/env"
)

// login is a client's request to the sessions server.
type login struct {
	user  string
	reply *env.Chan[string]
}

// sessionsSimulation is the simulation of determinism.md: a server hands
// out session tokens it draws from crypto/rand (Text, and Int for the
// jitter of their lifetimes), as an authentication library would; two
// clients log in twice each.
func sessionsSimulation() orrery.Simulation {
	return orrery.Simulation{
		Name:      "sessions",
		Processes: []orrery.Process{{Name: "auth", Main: sessionsServer}},
		Workloads: []orrery.Workload{{Name: "client", Count: 2, New: func() orrery.Driver {
			return orrery.Funcs{RunFunc: sessionsClient}
		}}},
	}
}

func sessionsServer(e env.Env) error {
	in := env.NewChan[login](e, 0)
	orrery.Publish(e.Context(), "logins", in)
	for {
		req, _, err := in.Recv(e.Context())
		if err != nil {
			return err
		}
		jitter, err := rand.Int(rand.Reader, big.NewInt(60))
		if err != nil {
			return err
		}
		token := rand.Text()
		ttl := 10*time.Minute + time.Duration(jitter.Int64())*time.Second
		e.Log().Info("session", "user", req.user, "token", token, "ttl", ttl.String())
		if err := req.reply.Send(e.Context(), token); err != nil {
			return err
		}
	}
}

func sessionsClient(e env.Env) error {
	v, _ := orrery.Published(e.Context(), "logins")
	for range 2 {
		if err := e.Clock().Sleep(e.Context(), time.Duration(1+e.Rand().IntN(100))*time.Millisecond); err != nil {
			return err
		}
		reply := env.NewChan[string](e, 1)
		if err := v.(*env.Chan[login]).Send(e.Context(), login{user: e.Name(), reply: reply}); err != nil {
			return err
		}
		if _, _, err := reply.Recv(e.Context()); err != nil {
			return err
		}
	}
	return nil
}
