import http from "k6/http";
export const options = {thresholds: {http_req_duration: ["p(95)<300"]}};
