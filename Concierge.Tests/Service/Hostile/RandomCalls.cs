using System.Text;

namespace Concierge.Tests.Service.Hostile;

/// <summary>
/// Seeded random method calls to the service that a dbus-daemon passes on: real paths,
/// interfaces and members (and made-up ones), the declared signature or a random one, random
/// values of every type (an <c>h</c> is a random fd index, and the message carries no fds),
/// random protobuf-like bytes for the Chrome OS face. <see cref="Mutate"/> flips body
/// bytes, which may make a message the daemon refuses.
/// </summary>
public sealed class RandomCalls(int seed, uint memberUid)
{
    private const string Basic = "ybnqiuxtdsogh";

    private static readonly string[] ChromeOsMembers =
        ["StartVm", "StopVm", "GetVmInfo", "ListVms", "SuspendVm", "ResumeVm", "DestroyDiskImage", "ListVmDisks", "GetVmLogs"];

    // (interface, member, declared signature). CreateDiskImage is left out on both faces: with its
    // declared signature it makes real images, and a run would leave files behind.
    private static readonly (string Interface, string Member, string Signature)[] RootMembers =
    [
        .. ChromeOsMembers.Select(m => (HostileService.ChromeOs, m, "ay")),
        (HostileService.ChromeOs, "StartVmWithFds", "ayah"),
        (HostileService.ChromeOs, "StopAllVms", ""),
        (HostileService.Manager, "StartVm", "sa{sv}"),
        (HostileService.Manager, "StopVm", "s"),
        (HostileService.Manager, "StopAllVms", ""),
        (HostileService.Manager, "ListVms", ""),
        (HostileService.Manager, "GetVm", "s"),
        (HostileService.Manager, "DestroyDiskImage", "s"),
        (HostileService.Manager, "ListDiskImages", ""),
        ("org.freedesktop.DBus.ObjectManager", "GetManagedObjects", ""),
    ];

    private static readonly (string Interface, string Member, string Signature)[] AnyObjectMembers =
    [
        (HostileService.Properties, "Get", "ss"),
        (HostileService.Properties, "GetAll", "s"),
        (HostileService.Properties, "Set", "ssv"),
        (HostileService.Introspectable, "Introspect", ""),
        (HostileService.Peer, "Ping", ""),
        (HostileService.Peer, "GetMachineId", ""),
    ];

    private static readonly (string Interface, string Member, string Signature)[] VmMembers =
    [
        (HostileService.Vm, "Stop", ""), (HostileService.Vm, "Kill", ""), (HostileService.Vm, "Suspend", ""),
        (HostileService.Vm, "Resume", ""), (HostileService.Vm, "ReadConsole", "u"), (HostileService.Vm, "Exec", "as"),
    ];

    // Strings that mean something to the service, so random calls get past the first check.
    private static readonly string[] Words =
    [
        "", "private", "hostile", "Kernel", "Initrd", "Rootfs", "Disks", "KernelParams", "Vcpus", "MemoryMiB", "StartupTimeoutSec",
        "HeartbeatIntervalMs", "MissedHeartbeats", "RestartPolicy", "never", "on-failure", "State", "Name", "Owner", "Cid",
        HostileService.Vm, HostileService.Manager, HostileService.ChromeOs, "/etc/shadow", "../../etc/passwd", "vmlinuz", "0",
    ];

    private readonly Random _random = new(seed);

    /// <summary>The next call; the same seed gives the same calls.</summary>
    public RawMessage Next()
    {
        var path = _random.Next(10) switch
        {
            < 6 => HostileService.Root,
            < 8 => $"{HostileService.Root}/vm/{Pick("private", "hostile", "x")}/u{memberUid}",
            8 => "/",
            _ => RandomPath(),
        };
        var members = path.StartsWith(HostileService.Root + "/vm/", StringComparison.Ordinal) ? VmMembers : RootMembers;
        var (@interface, member, declared) = _random.Next(10) switch
        {
            < 6 => members[_random.Next(members.Length)],
            < 8 => AnyObjectMembers[_random.Next(AnyObjectMembers.Length)],
            8 => ("org.example.Nope", "Nothing", ""),
            _ => (HostileService.Manager, "No" + _random.Next(100), ""),
        };
        var signature = _random.Next(2) == 0 ? declared : RandomSignature();
        var body = new RawBody();
        for (var at = 0; at < signature.Length;)
        {
            var end = CompleteTypeEnd(signature, at);
            Value(body, signature[at..end], @interface == HostileService.ChromeOs, depth: 0);
            at = end;
        }
        // A call without INTERFACE is legal: the service must find the member or refuse it.
        return new RawMessage(HostileService.Name, path, _random.Next(20) == 0 ? null : @interface, member, signature, body.ToArray());
    }

    /// <summary><paramref name="message"/> with one to four body bytes overwritten at random.</summary>
    public RawMessage Mutate(RawMessage message)
    {
        var body = message.Body.ToArray();
        for (var flips = _random.Next(1, 5); flips > 0 && body.Length > 0; flips--)
        {
            body[_random.Next(body.Length)] = (byte)_random.Next(256);
        }
        return message with { Body = body };
    }

    public bool Chance(int percent) => _random.Next(100) < percent;

    /// <summary>Where the single complete type starting at <paramref name="at"/> ends.</summary>
    public static int CompleteTypeEnd(string signature, int at)
    {
        switch (signature[at])
        {
            case 'a':
                return CompleteTypeEnd(signature, at + 1);
            case '(' or '{':
                var close = signature[at] == '(' ? ')' : '}';
                at++;
                while (signature[at] != close)
                {
                    at = CompleteTypeEnd(signature, at);
                }
                return at + 1;
            default:
                return at + 1;
        }
    }

    private string RandomSignature()
    {
        while (true)
        {
            var signature = new StringBuilder();
            for (var count = _random.Next(0, 4); count > 0; count--)
            {
                signature.Append(RandomType(0));
            }
            if (signature.Length <= 255)
            {
                return signature.ToString();
            }
        }
    }

    private string RandomType(int depth)
    {
        var roll = depth >= 3 ? 0 : _random.Next(10);
        return roll switch
        {
            < 6 => Basic[_random.Next(Basic.Length)].ToString(),
            6 => "a" + RandomType(depth + 1),
            7 => $"a{{{Basic[_random.Next(Basic.Length)]}{RandomType(depth + 1)}}}",
            8 => "(" + string.Concat(Enumerable.Range(0, _random.Next(1, 4)).Select(_ => RandomType(depth + 1))) + ")",
            _ => "v",
        };
    }

    private void Value(RawBody body, string type, bool protobufBytes, int depth)
    {
        switch (type[0])
        {
            case 'y': body.Byte((byte)_random.Next(256)); break;
            case 'b': body.U32((uint)_random.Next(2)); break;
            case 'n' or 'q': body.U16((ushort)_random.Next(65536)); break;
            case 'i' or 'u' or 'h': body.U32(RandomUInt32()); break;
            case 'x' or 't' or 'd': body.U64(((ulong)RandomUInt32() << 32) | RandomUInt32()); break;
            case 's': body.Utf8(RandomString()); break;
            case 'o': body.Utf8(RandomPath()); break;
            case 'g': body.Signature(RandomSignature()); break;
            case 'v':
                var inner = RandomType(Math.Min(depth + 1, 3));
                body.Signature(inner);
                Value(body, inner, protobufBytes, depth + 1);
                break;
            case 'a' when type == "ay":
                body.Bytes(protobufBytes ? RandomProtobuf() : RandomBytes(_random.Next(10) == 0 ? 65536 : 64));
                break;
            case 'a' when type == "a{sv}" && _random.Next(2) == 0:
                RandomOptions(body);
                break;
            case 'a':
                var element = type[1..];
                var count = depth > 3 ? 0 : _random.Next(20) == 0 ? _random.Next(200) : _random.Next(5);
                body.Array(Alignment(element[0]), a =>
                {
                    for (var i = 0; i < count; i++)
                    {
                        Value(a, element, protobufBytes, depth + 1);
                    }
                });
                break;
            case '{' or '(':
                var fields = type[1..^1];
                body.Struct(s =>
                {
                    for (var at = 0; at < fields.Length;)
                    {
                        var end = CompleteTypeEnd(fields, at);
                        Value(s, fields[at..end], protobufBytes, depth + 1);
                        at = end;
                    }
                });
                break;
            default:
                throw new ArgumentException($"no value for '{type}'", nameof(type));
        }
    }

    /// <summary>Start options with keys the service knows and values of any type.</summary>
    private void RandomOptions(RawBody body) =>
        body.Array(8, a =>
        {
            for (var count = _random.Next(1, 6); count > 0; count--)
            {
                var type = _random.Next(3) == 0 ? RandomType(1) : Pick("s", "u", "t", "as", "a(sb)");
                a.Struct(entry =>
                {
                    entry.Utf8(Pick(Words)).Signature(type);
                    Value(entry, type, protobufBytes: false, depth: 1);
                });
            }
        });

    /// <summary>Protobuf-shaped bytes: fields of every wire type, some nested, some cut short.</summary>
    private byte[] RandomProtobuf()
    {
        var bytes = new List<byte>();
        for (var fields = _random.Next(0, 8); fields > 0; fields--)
        {
            var number = _random.Next(4) == 0 ? _random.Next(1000, 1007) : _random.Next(1, 30);
            var wire = _random.Next(6);
            Varint(bytes, ((ulong)number << 3) | (uint)wire);
            switch (wire)
            {
                case 0: Varint(bytes, ((ulong)RandomUInt32() << 32) | RandomUInt32()); break;
                case 1: bytes.AddRange(RandomBytes(8)); break;
                case 2:
                    var content = _random.Next(3) == 0 ? RandomProtobuf() : Encoding.UTF8.GetBytes(RandomString());
                    Varint(bytes, (ulong)content.Length + (ulong)(_random.Next(10) == 0 ? 5 : 0));
                    bytes.AddRange(content);
                    break;
                case 5: bytes.AddRange(RandomBytes(4)); break;
                default: break; // groups and reserved wire types: the parser must refuse or skip them
            }
        }
        return [.. bytes];
    }

    private static void Varint(List<byte> bytes, ulong value)
    {
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }
        bytes.Add((byte)value);
    }

    private string RandomString()
    {
        if (_random.Next(2) == 0)
        {
            return Pick(Words);
        }
        var text = new StringBuilder();
        for (var length = _random.Next(40); length > 0; length--)
        {
            // ASCII, Latin-1, CJK and an emoji: valid UTF-8 of one to four bytes, no NUL.
            text.Append(_random.Next(4) switch
            {
                0 => ((char)_random.Next(1, 128)).ToString(),
                1 => ((char)_random.Next(0xa0, 0x100)).ToString(),
                2 => ((char)_random.Next(0x4e00, 0x9fff)).ToString(),
                _ => "😀",
            });
        }
        return text.ToString();
    }

    private string RandomPath() =>
        "/" + string.Join('/', Enumerable.Range(0, _random.Next(1, 4)).Select(_ => Pick("org", "chromium", "VmConcierge", "vm", "x_1", "u0")));

    private byte[] RandomBytes(int max)
    {
        var bytes = new byte[_random.Next(max + 1)];
        _random.NextBytes(bytes);
        return bytes;
    }

    private uint RandomUInt32() => _random.Next(4) switch
    {
        0 => 0,
        1 => uint.MaxValue,
        _ => (uint)_random.NextInt64(0, 1L << 32),
    };

    private string Pick(params string[] choices) => choices[_random.Next(choices.Length)];

    private static int Alignment(char type) => type switch
    {
        'y' or 'g' or 'v' => 1,
        'n' or 'q' => 2,
        'x' or 't' or 'd' or '(' or '{' => 8,
        _ => 4,
    };
}
