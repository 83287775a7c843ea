"""Generate the replay fixtures from Gymnasium's own classic-control code.

Usage (Debian: apt-get install python3-numpy python3-mpmath):

    git clone https://github.com/Farama-Foundation/Gymnasium /tmp/gym
    python3 gen_fixtures.py --gymnasium /tmp/gym --trig exact > replay_exact.json
    python3 gen_fixtures.py --gymnasium /tmp/gym --trig libm > replay_libm.json

Gymnasium imports cloudpickle and farama_notifications, which classic
control never uses; when they are missing, empty stand-ins are put on the
path. Each case is made with gymnasium.make (so the TimeLimit wrapper
counts steps), reset, then the unwrapped env's state set to a float64
array; Pendulum's action is a float32 array, as its action space.

--trig chooses the sin and cos that NumPy's ufuncs use:
  native  NumPy as installed. NumPy 1.22-1.24 on AVX-512 CPUs computes
          float64 sin and cos with SVML, up to 4 ulp from the true value,
          so results depend on the CPU.
  libm    the C library's (glibc), which NumPy >= 1.25 uses everywhere.
  exact   correctly rounded (mpmath at 300 bits), which glibc returns in
          all but about 0.2 % of arguments. Go's env package computes these,
          so its replay must match this set bit for bit.
MountainCar calls math.cos, which is libm's; it is pinned the same way.
"""
import argparse, json, math, sys, types

p = argparse.ArgumentParser()
p.add_argument("--gymnasium", required=True)
p.add_argument("--trig", choices=["native", "libm", "exact"], default="exact")
p.add_argument("--seed", type=int, default=14)
args = p.parse_args()
sys.path.insert(0, args.gymnasium)
for name in ("cloudpickle", "farama_notifications"):
    try:
        __import__(name)
    except ImportError:
        sys.modules[name] = types.ModuleType(name)

import numpy as np
import gymnasium as gym
import gymnasium.envs.classic_control.acrobot as acrobot
import gymnasium.envs.classic_control.mountain_car as mountain_car

if args.trig != "native":
    if args.trig == "libm":
        sin, cos = math.sin, math.cos
    else:
        import mpmath
        mpmath.mp.prec = 300
        sin = lambda x: float(mpmath.sin(mpmath.mpf(float(x))))
        cos = lambda x: float(mpmath.cos(mpmath.mpf(float(x))))
    wrap = lambda f: (lambda x: np.float64(f(float(x))))
    np.sin, np.cos = wrap(sin), wrap(cos)
    acrobot.sin, acrobot.cos = np.sin, np.cos
    mountain_car.math = types.SimpleNamespace(cos=cos)


def f32(v):
    return str(np.float32(v))


def replay(name, state, actions):
    env = gym.make(name)
    env.reset(seed=0)
    env.unwrapped.state = np.array(state, dtype=np.float64)
    rows = []
    for i, a in enumerate(actions):
        act = np.array([a], dtype=np.float32) if name == "Pendulum-v1" else int(a)
        obs, r, term, trunc, _ = env.step(act)
        rows.append(",".join([str(i + 1)] + [f32(o) for o in obs] + [repr(float(r)), str(term).lower(), str(trunc).lower()]))
        if term or trunc:
            break
    k = env.observation_space.shape[0]
    header = ",".join(["step"] + [f"obs_{j}" for j in range(k)] + ["reward", "terminated", "truncated"])
    return "\n".join([header] + rows) + "\n"


rng = np.random.default_rng(args.seed)
cases = []
def add(name, state, actions):
    state = [float(s) for s in state]
    actions = [float(a) if name == "Pendulum-v1" else int(a) for a in actions]
    cases.append({"env": name, "state": state, "actions": actions, "csv": replay(name, state, actions)})

# CartPole: random pushes from the reset distribution and beyond; a
# balancing controller's actions that reach the 500-step limit.
for _ in range(6):
    add("CartPole-v1", rng.uniform(-0.05, 0.05, 4), rng.integers(0, 2, 60))
add("CartPole-v1", [2.35, 1.0, 0.0, 0.0], [1] * 10)
add("CartPole-v1", [0.0, 0.0, -0.2, -0.5], [0] * 10)
env = gym.make("CartPole-v1"); env.reset(seed=0)
s0 = [0.01, -0.02, 0.03, 0.01]; env.unwrapped.state = np.array(s0); acts = []
for _ in range(510):
    x, xd, th, thd = env.unwrapped.state
    acts.append(int(th + 0.5 * thd + 0.01 * x + 0.1 * xd > 0))
    if any(env.step(acts[-1])[2:4]):
        break
add("CartPole-v1", s0, acts + [0] * 5)

# Acrobot: random torques; large velocities to hit the bounds and wrap.
for _ in range(4):
    add("Acrobot-v1", rng.uniform(-0.1, 0.1, 4), rng.integers(0, 3, 120))
add("Acrobot-v1", [3.0, -3.0, 12.0, -28.0], rng.integers(0, 3, 40))
add("Acrobot-v1", [2.5, 0.5, 0.0, 0.0], [2] * 20)
env = gym.make("Acrobot-v1"); env.reset(seed=0)
s0 = [0.05, -0.05, 0.0, 0.0]; env.unwrapped.state = np.array(s0); acts = []
for _ in range(500):  # pump energy: torque along the first link's motion
    acts.append(2 if env.unwrapped.state[2] > 0 else 0)
    if any(env.step(acts[-1])[2:4]):
        break
add("Acrobot-v1", s0, acts)
add("Acrobot-v1", [0.0, 0.0, 0.0, 0.0], [1] * 505)

# MountainCar: random, the left wall, and energy pumping to the goal.
for _ in range(4):
    add("MountainCar-v0", [rng.uniform(-0.6, -0.4), 0.0], rng.integers(0, 3, 80))
add("MountainCar-v0", [-1.19, -0.05], [0] * 30)
add("MountainCar-v0", [0.3, 0.07], [2, 2, 2, 2])
env = gym.make("MountainCar-v0"); env.reset(seed=0)
s0 = [-0.5, 0.0]; env.unwrapped.state = np.array(s0); acts = []
for _ in range(200):
    acts.append(2 if env.unwrapped.state[1] >= 0 else 0)
    if any(env.step(acts[-1])[2:4]):
        break
add("MountainCar-v0", s0, acts)
add("MountainCar-v0", [-0.5, 0.0], rng.integers(0, 3, 210))

# Pendulum: torques inside and outside [-2, 2], fast spins, large angles.
for _ in range(4):
    add("Pendulum-v1", [rng.uniform(-np.pi, np.pi), rng.uniform(-1, 1)], np.round(rng.uniform(-2.5, 2.5, 60), 6))
add("Pendulum-v1", [10.0, 7.9], [2.0] * 40)
add("Pendulum-v1", [-25.0, -8.0], [-3.0, 0.1, 1e-05, -0.0, 2.5] * 8)
add("Pendulum-v1", [np.pi, 0.0], rng.uniform(-2, 2, 205))

json.dump({"generator": "gen_fixtures.py --trig " + args.trig + " --seed " + str(args.seed),
           "numpy": np.__version__, "cases": cases}, sys.stdout, indent=0)
