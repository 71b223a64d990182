using Concierge.Bench.DBus;

// serve ADDRESS NAME : own NAME and serve org.concierge.Bench.Echo on /org/concierge/Bench until stdin closes
// call ADDRESS DEST PATH INTERFACE MEMBER COUNT LABEL [STRING] : time COUNT sequential calls, print one result line
// (with STRING the call is s -> s and the reply must echo it)
return args switch
{
    ["serve", var address, var name] => await BenchServer.RunAsync(address, name),
    ["call", var address, var destination, var path, var @interface, var member, var count, var label, .. var rest] when rest.Length <= 1 =>
        await BenchClient.RunAsync(address, new BenchCall(destination, path, @interface, member, rest.FirstOrDefault()),
            int.Parse(count, System.Globalization.CultureInfo.InvariantCulture), label),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: serve ADDRESS NAME | call ADDRESS DEST PATH INTERFACE MEMBER COUNT LABEL [STRING]");
    return 2;
}
