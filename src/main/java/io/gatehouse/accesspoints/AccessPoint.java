package io.gatehouse.accesspoints;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;

/** What Gatehouse created for a team at S3 Control, and attached: compared with what S3 Control reports. */
@Entity
@Table(name = "access_point")
public class AccessPoint extends PanacheEntityBase {

    public enum Origin {
        INTERNET, VPC
    }

    public enum Recorded {
        OK, INCOMPLETE
    }

    @Id
    @Column(name = "team_slug")
    public String teamSlug;

    public String name;

    public String arn;

    public String alias;

    @Enumerated(EnumType.STRING)
    @Column(name = "network_origin")
    public Origin networkOrigin;

    @Column(name = "vpc_id")
    public String vpcId;

    /** The team's own IAM role, allowed by the policy beside Gatehouse's; optional. */
    @Column(name = "team_role_arn")
    public String teamRoleArn;

    public String policy;

    @Enumerated(EnumType.STRING)
    public Recorded state;

    @Column(name = "updated_by")
    public String updatedBy;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
