import { Type } from 'typebox';

/** The gathering API's error body. */
export const GatheringError = Type.Object({ status: Type.String({ description: 'What went wrong' }) });

export const gatheringErrors = { 400: GatheringError, 403: GatheringError, 404: GatheringError };

export const ClusterParams = Type.Object({
  clusterID: Type.String({ description: 'The cluster ID, a UUID' }),
});

export const ClusterRequestParams = Type.Object({
  clusterID: Type.String({ description: 'The cluster ID, a UUID' }),
  requestID: Type.String({ description: 'The request ID: letters and digits' }),
});

const Timestamp = Type.String({ description: 'RFC 3339 in UTC with nanoseconds; "" for an unknown request' });

export const RequestStatus = Type.Object({
  cluster: Type.String(),
  requestID: Type.String(),
  status: Type.String({ description: 'Always "processed": a request with no stored results is a 404' }),
});

export const RequestList = Type.Object({
  cluster: Type.String(),
  requests: Type.Array(Type.Object({ requestID: Type.String(), valid: Type.Boolean(), received: Timestamp, processed: Timestamp })),
  status: Type.String({ description: '"ok"' }),
});

export const Report = Type.Object({
  cluster: Type.String(),
  requestID: Type.String(),
  status: Type.String({ description: '"processed"' }),
  report: Type.Array(
    Type.Object({
      rule_fqdn: Type.String(),
      error_key: Type.String(),
      description: Type.String(),
      total_risk: Type.Integer(),
    }),
  ),
});
