using System.Diagnostics;
using System.Globalization;
using NUnit.Framework;

namespace Concierge.Tests.Service.Hostile;

/// <summary>
/// Calls a member of group concierge may send, through the real bus policy: a corpus of what a
/// dbus-daemon lets reach the service (wrong signatures, odd values, unknown names, protobuf
/// trouble inside <c>ay</c>, large arrays, deep nesting within the limits) plus a few it refuses
/// itself, then thousands of seeded random calls. The service must answer every call that wants
/// an answer, itself and in time, never exit, stay within a memory bound, and still serve after.
/// </summary>
[TestFixture]
[Category("Bus")]
[NonParallelizable]
public sealed class HostileTrafficTests : HostileServiceFixture
{
    private const int RandomCases = 10_000;
    private const int Connections = 3;
    // Calls in flight per connection: enough to keep the service busy, few enough that a hang
    // is pinned to a handful of cases.
    private const int Window = 16;
    private const int MutatedPercent = 5;
    private const long MiB = 1 << 20;
    // The random bodies are at most ~64 KiB: nothing they do should take the service this far
    // past its idle size; what stays above it is held memory, not GC slack.
    private const long AllowedGrowth = 128 * MiB;
    // A failed StartVm, the slowest call here, takes well under a second: 30 s is a hang.
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private enum Expect
    {
        /// <summary>The daemon passes it on: the service itself must answer.</summary>
        ServiceReply,

        /// <summary>NO_REPLY_EXPECTED: no answer, and the connection is served on.</summary>
        NoReply,

        /// <summary>Malformed on the wire: the daemon may drop us; what it passes on, the service answers.</summary>
        ReplyOrDrop,
    }

    // The harness itself: the bus sees our connections as the member, and enforces the real policy.
    [Test]
    public async Task CallsComeFromAGroupMemberUnderTheRealPolicy()
    {
        using var member = Service.ConnectMember();
        using var other = RawBusClient.Connect(Service.Bus.Address, await UnixIdentity.OfUserAsync("nobody"));
        var uid = member.Call(RawMessage.Call(RawBusClient.BusName, RawBusClient.BusPath, RawBusClient.BusName, "GetConnectionUnixUser", "s",
            b => b.Utf8(member.UniqueName)), ReplyTimeout);
        var memberPing = member.Call(HostileService.Ping(), ReplyTimeout);
        var otherPing = other.Call(HostileService.Ping(), ReplyTimeout);

        Assert.Multiple(() =>
        {
            Assert.That(uid.FirstUInt32(), Is.EqualTo(Service.Member.Uid), uid.ToString());
            Assert.That(memberPing.IsError, Is.False, memberPing.ToString());
            Assert.That(otherPing.ErrorName, Is.EqualTo("org.freedesktop.DBus.Error.AccessDenied"), otherPing.ToString());
        });
    }

    [Test]
    public void EveryCorpusCallIsAnsweredAndTheServiceServesOn()
    {
        var service = Service.UniqueName();
        var failures = new List<string>();
        var client = Service.ConnectMember();
        try
        {
            foreach (var (name, message, expect) in Corpus(Service.Member.Uid))
            {
                if (!client.IsOpen)
                {
                    client.Dispose();
                    client = Service.ConnectMember();
                }
                var outcome = Exchange(client, message);
                if (expect == Expect.NoReply)
                {
                    var ping = client.Call(HostileService.Ping(), ReplyTimeout);
                    outcome = client.RepliesSeen(outcome.Serial) == 0 && ping.Sender == service ? outcome with { Problem = null }
                        : outcome with { Problem = $"a reply to a call that wanted none, or no answer after it ({ping})" };
                }
                else if (outcome.Reply is { } reply && reply.Sender != service)
                {
                    outcome = outcome with { Problem = $"answered by {reply.Sender}, not the service: {reply}" };
                }
                else if (outcome.Dropped && expect != Expect.ReplyOrDrop)
                {
                    outcome = outcome with { Problem = "the bus dropped the connection for a well-formed call" };
                }
                TestContext.Out.WriteLine($"{name}: {outcome}");
                if (outcome.Problem is not null)
                {
                    failures.Add($"{name}: {outcome.Problem}");
                }
                if (Service.Process.HasExited)
                {
                    failures.Add($"the service exited after '{name}':\n{Tail(Service.Process.Output)}");
                    break;
                }
                // A hang: every later call would wait out its own timeout too.
                if (outcome.Reply is null && !outcome.Dropped && expect != Expect.NoReply)
                {
                    break;
                }
            }
        }
        finally
        {
            client.Dispose();
        }

        Assert.That(failures, Is.Empty);
        AssertStillServing(service);
    }

    [Test]
    public void SeededRandomCallsAreAllAnswered()
    {
        var seed = Environment.GetEnvironmentVariable("CONCIERGE_HOSTILE_SEED") is { } fixedSeed
            ? int.Parse(fixedSeed, CultureInfo.InvariantCulture) : Random.Shared.Next();
        TestContext.Out.WriteLine($"seed {seed} (rerun with CONCIERGE_HOSTILE_SEED={seed}), {RandomCases} cases");
        var calls = new RandomCalls(seed, Service.Member.Uid);
        var service = Service.UniqueName();
        var clients = Enumerable.Range(0, Connections).Select(_ => Service.ConnectMember()).ToArray();
        var pending = clients.Select(_ => new Queue<(int Case, uint Serial, RawMessage Message)>()).ToArray();
        var failures = new List<string>();
        var errors = new Dictionary<string, int>();
        var (sent, answered, dropped) = (0, 0, 0);
        var baseline = Service.ResidentBytes();
        var peak = baseline;
        var clock = Stopwatch.StartNew();

        // The oldest call in flight on connection c must be answered, by the service, in time.
        bool AwaitOldest(int c)
        {
            var (index, serial, message) = pending[c].Dequeue();
            var outcome = Exchange(clients[c], serial);
            var problem = outcome.Problem ?? (outcome.Dropped ? "the bus dropped the connection for a well-formed call"
                : outcome.Reply!.Sender != service ? $"answered by {outcome.Reply.Sender}: {outcome.Reply}" : null);
            Count(outcome);
            if (problem is not null)
            {
                // The call that went wrong may be any of those sent before it: name them all.
                failures.Add($"case {index} {Describe(message)}: {problem}; in flight with it: "
                    + string.Join("; ", pending.SelectMany(p => p).Select(p => $"case {p.Case} {Describe(p.Message)}")));
            }
            return problem is null;
        }

        void Count(Outcome outcome)
        {
            answered += outcome.Reply is null ? 0 : 1;
            dropped += outcome.Dropped ? 1 : 0;
            var key = outcome.Reply is { IsError: true } e ? e.ErrorName ?? "?" : outcome.Reply is null ? "(none)" : "(return)";
            errors[key] = errors.GetValueOrDefault(key) + 1;
        }

        try
        {
            for (var index = 0; index < RandomCases && failures.Count == 0; index++)
            {
                sent++;
                var c = index % Connections;
                var message = calls.Next();
                if (calls.Chance(MutatedPercent))
                {
                    // The daemon may drop the sender of this one: nothing else may be in flight on it.
                    while (pending[c].Count > 0 && AwaitOldest(c))
                    {
                    }
                    var mutated = calls.Mutate(message);
                    var outcome = Exchange(clients[c], mutated);
                    Count(outcome);
                    if (outcome.Problem is not null)
                    {
                        failures.Add($"case {index} (mutated) {Describe(mutated)}: {outcome.Problem}");
                    }
                    if (!clients[c].IsOpen)
                    {
                        clients[c].Dispose();
                        clients[c] = Service.ConnectMember();
                    }
                    continue;
                }
                if (pending[c].Count >= Window && !AwaitOldest(c))
                {
                    break;
                }
                pending[c].Enqueue((index, clients[c].Send(message), message));
                if (index % 500 == 0)
                {
                    peak = Math.Max(peak, Service.ResidentBytes());
                    if (Service.Process.HasExited)
                    {
                        failures.Add($"the service exited by case {index}:\n{Tail(Service.Process.Output)}");
                    }
                }
            }
            for (var c = 0; c < Connections; c++)
            {
                while (pending[c].Count > 0 && failures.Count == 0 && AwaitOldest(c))
                {
                }
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
        peak = Math.Max(peak, Service.ResidentBytes());
        TestContext.Out.WriteLine($"{sent} of {RandomCases} cases in {clock.Elapsed.TotalSeconds:F1} s: {answered} answered, {dropped} dropped by the bus; "
            + $"RSS baseline {baseline / MiB} MiB, peak {peak / MiB} MiB");
        TestContext.Out.WriteLine(string.Join("\n", errors.OrderByDescending(e => e.Value).Select(e => $"  {e.Value,6} {e.Key}")));

        Assert.Multiple(() =>
        {
            Assert.That(failures, Is.Empty, $"seed {seed}");
            Assert.That(sent, Is.EqualTo(RandomCases), "every case was sent");
            Assert.That(peak, Is.LessThanOrEqualTo(baseline + AllowedGrowth), $"seed {seed}: RSS peak {peak / MiB} MiB, baseline {baseline / MiB} MiB");
        });
        AssertStillServing(service);
    }

    /// <summary>What became of one call: its reply, or the bus dropping us, or (Problem) no answer in time.</summary>
    private sealed record Outcome(uint Serial, RawReply? Reply, bool Dropped, string? Problem)
    {
        public override string ToString() => Problem ?? (Dropped ? "dropped by the bus" : Reply?.ToString() ?? "no reply");
    }

    private static Outcome Exchange(RawBusClient client, RawMessage message)
    {
        try
        {
            var serial = client.Send(message);
            return (message.Flags & RawMessage.NoReplyExpected) != 0 ? new Outcome(serial, null, false, null) : Exchange(client, serial);
        }
        catch (EndOfStreamException)
        {
            return new Outcome(0, null, true, null);
        }
    }

    private static Outcome Exchange(RawBusClient client, uint serial)
    {
        try
        {
            var reply = client.Receive(serial, ReplyTimeout);
            return new Outcome(serial, reply, false, reply is null ? $"no reply within {ReplyTimeout.TotalSeconds} s" : null);
        }
        catch (EndOfStreamException)
        {
            return new Outcome(serial, null, true, null);
        }
    }

    private void AssertStillServing(string? service)
    {
        using var client = Service.ConnectMember();
        var list = client.Call(HostileService.ListVms(), ReplyTimeout);
        var ping = client.Call(HostileService.Ping(), ReplyTimeout);
        Assert.Multiple(() =>
        {
            Assert.That(list.IsError, Is.False, $"ListVms: {list}");
            Assert.That(ping.IsError, Is.False, $"Ping: {ping}");
            Assert.That(Service.Process.HasExited, Is.False, "the service still runs");
            Assert.That(Service.UniqueName(), Is.EqualTo(service), "the same connection still owns the name");
        });
    }

    private static string Describe(RawMessage m) =>
        $"{m.Path} {m.Interface}.{m.Member} ({m.Signature}, {m.Body.Length} bytes: {Convert.ToHexString(m.Body.AsSpan(0, Math.Min(m.Body.Length, 64)))})";

    private static string Tail(string output) => output.Length <= 4000 ? output : output[^4000..];

    private static IEnumerable<(string Name, RawMessage Message, Expect Expect)> Corpus(uint uid)
    {
        const string root = HostileService.Root;
        var vm = $"{root}/vm/private/u{uid}";
        static RawMessage Call(string path, string? @interface, string member, string signature, Action<RawBody> body) =>
            RawMessage.Call(HostileService.Name, path, @interface, member, signature, body);
        static RawMessage ChromeOs(string member, string signature, Action<RawBody> body) => Call(root, HostileService.ChromeOs, member, signature, body);
        static RawMessage Manager(string member, string signature, Action<RawBody> body) => Call(root, HostileService.Manager, member, signature, body);
        static RawMessage StartVm(string name, Action<RawBody> options) => Manager("StartVm", "sa{sv}", b =>
        {
            b.Utf8(name);
            options(b);
        });
        static RawMessage Request(string member, byte[] protobuf) => ChromeOs(member, "ay", b => b.Bytes(protobuf));
        static void None(RawBody b)
        {
        }

        // Signatures the method does not declare.
        yield return ("Chrome OS StartVm with an s, not ay", ChromeOs("StartVm", "s", b => b.Utf8("private")), Expect.ServiceReply);
        yield return ("Chrome OS StartVm with no argument", ChromeOs("StartVm", "", None), Expect.ServiceReply);
        yield return ("Chrome OS StartVm with a second ay", ChromeOs("StartVm", "ayay", b => b.Bytes([]).Bytes([])), Expect.ServiceReply);
        yield return ("Manager StartVm without its options", Manager("StartVm", "s", b => b.Utf8("private")), Expect.ServiceReply);
        yield return ("Manager StartVm with its arguments swapped", Manager("StartVm", "a{sv}s", b => b.Options().Utf8("private")), Expect.ServiceReply);
        yield return ("Manager ListVms with an argument", Manager("ListVms", "u", b => b.U32(1)), Expect.ServiceReply);
        yield return ("StartVmWithFds with its fd array left out", ChromeOs("StartVmWithFds", "ay", b => b.Bytes([])), Expect.ServiceReply);
        yield return ("StartVmWithFds with no fds at all", ChromeOs("StartVmWithFds", "ayah", b => b.Bytes([]).Array(4, None)), Expect.ServiceReply);

        // StartVm options: unknown keys, wrong types, repeats, extremes.
        yield return ("an unknown option", StartVm("hostile", b => b.Options(("Bogus", "u", v => v.U32(1)))), Expect.ServiceReply);
        yield return ("Kernel typed u", StartVm("hostile", b => b.Options(("Kernel", "u", v => v.U32(7)))), Expect.ServiceReply);
        yield return ("Vcpus given twice", StartVm("hostile", b => b.Options(("Vcpus", "u", v => v.U32(1)), ("Vcpus", "u", v => v.U32(2)))), Expect.ServiceReply);
        yield return ("Vcpus and MemoryMiB at their maximum",
            StartVm("hostile", b => b.Options(("Vcpus", "u", v => v.U32(uint.MaxValue)), ("MemoryMiB", "t", v => v.U64(ulong.MaxValue)))), Expect.ServiceReply);
        yield return ("a RestartPolicy nobody knows", StartVm("hostile", b => b.Options(("RestartPolicy", "s", v => v.Utf8("always-and-forever")))), Expect.ServiceReply);
        yield return ("1,000 disks", StartVm("hostile", b => b.Options(("Disks", "a(sb)", v => v.Array(8, a =>
        {
            for (var i = 0; i < 1000; i++)
            {
                a.Struct(d => d.Utf8("/dev/null").U32(1));
            }
        })))), Expect.ServiceReply);
        yield return ("100,000 kernel parameters", StartVm("hostile", b => b.Options(("KernelParams", "as", v => v.Array(4, a =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                a.Utf8("console=ttyS0");
            }
        })))), Expect.ServiceReply);
        yield return ("100,000 unknown options", StartVm("hostile", b => b.Array(8, a =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                a.Struct(e => e.Utf8("k" + i.ToString(CultureInfo.InvariantCulture)).Variant("y", v => v.Byte(0)));
            }
        })), Expect.ServiceReply);
        yield return ("an option nested in 20 variants", StartVm("hostile", b => b.Options(("Kernel", "v", v => Nest(v, 19)))), Expect.ServiceReply);

        // Names.
        yield return ("a 64 KiB VM name", StartVm(new string('a', 65536), b => b.Options()), Expect.ServiceReply);
        yield return ("a name climbing out of its directory", StartVm("../../etc", b => b.Options()), Expect.ServiceReply);
        yield return ("a name with a newline and a terminal escape", StartVm("a\nb\u001b[2J", b => b.Options()), Expect.ServiceReply);
        yield return ("a name with a right-to-left override", StartVm("\u202evm", b => b.Options()), Expect.ServiceReply);
        yield return ("GetVm of the empty name", Manager("GetVm", "s", b => b.Utf8("")), Expect.ServiceReply);

        // Protobuf trouble inside ay, where the daemon does not look.
        yield return ("invalid UTF-8 in a protobuf string", Request("StartVm", [0x22, 3, 0xff, 0xfe, 0xfd]), Expect.ServiceReply);
        yield return ("a protobuf field longer than the request", Request("ListVms", [0x22, 100, (byte)'a', (byte)'b']), Expect.ServiceReply);
        yield return ("a varint that never ends", Request("StartVm", [0x08, .. Enumerable.Repeat((byte)0xff, 20)]), Expect.ServiceReply);
        yield return ("10,000 nested unknown groups",
            Request("StartVm", [.. Enumerable.Repeat<byte[]>([0x9b, 0x06], 10_000).SelectMany(x => x), .. Enumerable.Repeat<byte[]>([0x9c, 0x06], 10_000).SelectMany(x => x)]),
            Expect.ServiceReply);
        yield return ("an empty GetVmLogs request", ChromeOs("GetVmLogs", "ay", b => b.Bytes([])), Expect.ServiceReply);

        // Nesting and size within the bus's limits.
        yield return ("32 nested arrays", Manager("ListVms", new string('a', 32) + "y", b => b.U32(0)), Expect.ServiceReply);
        yield return ("32 nested structs", Manager("ListVms", new string('(', 32) + "y" + new string(')', 32), b => NestStructs(b, 32)), Expect.ServiceReply);
        yield return ("a 4 MiB au", Manager("ListVms", "au", b => b.Array(4, a =>
        {
            for (var i = 0; i < 1 << 20; i++)
            {
                a.U32((uint)i);
            }
        })), Expect.ServiceReply);

        // Names nobody serves.
        yield return ("an unknown interface", Call(root, "org.example.Nope", "Nothing", "", None), Expect.ServiceReply);
        yield return ("an unknown Manager member", Manager("Nothing", "", None), Expect.ServiceReply);
        yield return ("an unknown object path", Call(root + "/nope", HostileService.Manager, "ListVms", "", None), Expect.ServiceReply);
        yield return ("the path /", Call("/", HostileService.Manager, "ListVms", "", None), Expect.ServiceReply);
        yield return ("no INTERFACE field", Call(root, null, "ListVms", "", None), Expect.ServiceReply);
        yield return ("no INTERFACE and an unknown member", Call(root, null, "Nothing", "", None), Expect.ServiceReply);
        yield return ("a VM that does not exist", Call(vm, HostileService.Vm, "Stop", "", None), Expect.ServiceReply);
        yield return ("Exec with 10,000 arguments on a VM that does not exist", Call(vm, HostileService.Vm, "Exec", "as", b => b.Array(4, a =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                a.Utf8("x");
            }
        })), Expect.ServiceReply);
        yield return ("ReadConsole with an s", Call(vm, HostileService.Vm, "ReadConsole", "s", b => b.Utf8("all")), Expect.ServiceReply);

        // The standard interfaces, called wrongly.
        yield return ("Properties.Get with one argument", Call(root, HostileService.Properties, "Get", "s", b => b.Utf8(HostileService.Vm)), Expect.ServiceReply);
        yield return ("Properties.Get with three", Call(root, HostileService.Properties, "Get", "sss", b => b.Utf8(HostileService.Vm).Utf8("State").Utf8("x")), Expect.ServiceReply);
        yield return ("Properties.Get of an interface the root lacks",
            Call(root, HostileService.Properties, "Get", "ss", b => b.Utf8(HostileService.Vm).Utf8("State")), Expect.ServiceReply);
        yield return ("Properties.GetAll with a u", Call(root, HostileService.Properties, "GetAll", "u", b => b.U32(0)), Expect.ServiceReply);
        yield return ("Properties.GetAll of an unknown interface", Call(root, HostileService.Properties, "GetAll", "s", b => b.Utf8("org.example.Nope")), Expect.ServiceReply);
        yield return ("Properties.Set on the root", Call(root, HostileService.Properties, "Set", "ssv",
            b => b.Utf8(HostileService.Manager).Utf8("X").Variant("s", v => v.Utf8("y"))), Expect.ServiceReply);
        yield return ("Properties.Set of a read-only property", Call(vm, HostileService.Properties, "Set", "ssv",
            b => b.Utf8(HostileService.Vm).Utf8("State").Variant("s", v => v.Utf8("running"))), Expect.ServiceReply);
        yield return ("Properties.Set with a value that is no variant", Call(root, HostileService.Properties, "Set", "sss",
            b => b.Utf8(HostileService.Vm).Utf8("State").Utf8("running")), Expect.ServiceReply);
        yield return ("Introspect with an argument", Call(root, HostileService.Introspectable, "Introspect", "s", b => b.Utf8("please")), Expect.ServiceReply);
        yield return ("Introspect of a VM that does not exist", Call(vm, HostileService.Introspectable, "Introspect", "", None), Expect.ServiceReply);
        yield return ("Ping with an argument", Call(root, HostileService.Peer, "Ping", "s", b => b.Utf8("pong")), Expect.ServiceReply);
        yield return ("GetMachineId with an argument", Call(root, HostileService.Peer, "GetMachineId", "u", b => b.U32(1)), Expect.ServiceReply);
        yield return ("GetManagedObjects with an argument",
            Call(root, "org.freedesktop.DBus.ObjectManager", "GetManagedObjects", "s", b => b.Utf8("/")), Expect.ServiceReply);

        // Calls that want no reply must get none, and must not stop the connection being served.
        yield return ("a wrong StartVm that wants no reply", Manager("StartVm", "u", b => b.U32(1)) with { Flags = RawMessage.NoReplyExpected }, Expect.NoReply);
        yield return ("ListVms that wants no reply", HostileService.ListVms() with { Flags = RawMessage.NoReplyExpected }, Expect.NoReply);

        // Malformed bodies: the daemon checks these itself and drops the sender.
        yield return ("a body shorter than its signature", Manager("GetVm", "s", None), Expect.ReplyOrDrop);
        yield return ("invalid UTF-8 in a string", Manager("GetVm", "s", b => b.Utf8([0xff, 0xfe])), Expect.ReplyOrDrop);
        yield return ("a boolean 2", Manager("ListVms", "b", b => b.U32(2)), Expect.ReplyOrDrop);
        yield return ("a string without its NUL", Manager("GetVm", "s", b => b.U32(1).Raw("xy"u8)), Expect.ReplyOrDrop);
        yield return ("an array longer than the body", ChromeOs("ListVms", "ay", b => b.U32(100)), Expect.ReplyOrDrop);
        yield return ("a signature with an unknown type code", Manager("ListVms", "m", b => b.Byte(1)), Expect.ReplyOrDrop);
        yield return ("33 nested arrays", Manager("ListVms", new string('a', 33) + "y", b => b.U32(0)), Expect.ReplyOrDrop);
    }

    private static void Nest(RawBody body, int depth)
    {
        if (depth == 0)
        {
            body.Signature("s").Utf8("/boot/vmlinuz");
            return;
        }
        body.Signature("v");
        Nest(body, depth - 1);
    }

    private static void NestStructs(RawBody body, int depth) =>
        body.Struct(s =>
        {
            if (depth == 1)
            {
                s.Byte(1);
            }
            else
            {
                NestStructs(s, depth - 1);
            }
        });
}
