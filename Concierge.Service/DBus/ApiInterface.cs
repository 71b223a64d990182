using Concierge.Service.Api;
using Concierge.Service.DBus.Objects;
using Serilog;

namespace Concierge.Service.DBus;

/// <summary>
/// What the interfaces of the API share: the <see cref="ConciergeApi"/> they translate calls into
/// and the log where failed calls go.
/// </summary>
public abstract class ApiInterface : ServedInterface
{
    private protected ApiInterface(InterfaceContract contract, ConciergeApi api, ILogger logger)
        : base(contract)
    {
        Api = api;
        Logger = logger;
    }

    private protected ConciergeApi Api { get; }

    private protected ILogger Logger { get; }
}
