using Fraud.Monitoring;
using FraudFunctions.Labels;

namespace FraudFunctions.Composition;

/// <summary>Appends posted labels to the <c>labels</c> container through the monitoring project's <see cref="LabelStore"/>.</summary>
public sealed class LabelStoreSink(LabelStore store) : ILabelSink
{
    public Task AppendAsync(IReadOnlyList<ValidLabel> labels, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var converted = new FraudLabel[labels.Count];
        for (var i = 0; i < labels.Count; i++)
        {
            var l = labels[i];
            converted[i] = new FraudLabel(l.Id, l.FraudFlag, l.Source, l.ObservedAt);
        }

        return store.AppendAsync(converted, ct);
    }
}
