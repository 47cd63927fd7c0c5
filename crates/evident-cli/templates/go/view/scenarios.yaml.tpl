# Scenarios for {{name}}, run with: evident test . scenarios.yaml
scenarios:
  - name: amounts are summed by event type
    given:
      events:
        - {specversion: "1.0", id: "1", source: /example, type: paid, datacontenttype: application/json, data: {amount: 5}}
        - {specversion: "1.0", id: "2", source: /example, type: refunded, datacontenttype: application/json, data: {amount: -2}}
        - {specversion: "1.0", id: "3", source: /example, type: paid, datacontenttype: application/json, data: {amount: 7}}
        - {specversion: "1.0", id: "4", source: /example, type: noted}
    then:
      state: {by_type: {paid: 12, refunded: -2}}

  - name: data without an amount is refused
    given:
      events:
        - {specversion: "1.0", id: "9", source: /example, type: paid, datacontenttype: application/json, data: {}}
    then:
      error: amount
