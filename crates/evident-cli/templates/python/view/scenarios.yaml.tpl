# Scenarios for {{name}}, run with:  evident test . scenarios.yaml
scenarios:
  - name: sums amounts by type
    given:
      events:
        - {specversion: "1.0", id: "1", source: /example, type: paid, data: {amount: 5}}
        - {specversion: "1.0", id: "2", source: /example, type: refunded, data: {amount: -2}}
        - {specversion: "1.0", id: "3", source: /example, type: paid, data: {amount: 7}}
    then:
      state: {by_type: {paid: 12, refunded: -2}}

  - name: events without data count for nothing
    given:
      events:
        - {specversion: "1.0", id: "1", source: /example, type: paid, data: {amount: 5}}
        - {specversion: "1.0", id: "2", source: /example, type: pinged}
    then:
      state: {by_type: {paid: 5}}

  - name: data without an amount is refused
    given:
      events:
        - {specversion: "1.0", id: "9", source: /example, type: paid, data: {}}
    then:
      error: event 9 has no integer amount
